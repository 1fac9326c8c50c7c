import { lmdbRelayStore } from '../src/index.js';
import { relayStoreSuite } from './helpers/store-suite.js';

relayStoreSuite('LMDB', (place, init) => lmdbRelayStore({ ...init, dir: place.dir, mapSize: 1 << 28 }));
