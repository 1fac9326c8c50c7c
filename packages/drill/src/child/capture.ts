import { appendFileSync } from 'node:fs';
import type { Transport } from '@herald/core';

/**
 * Records every envelope a channel carries out of this node, one JSON line each ({ at, channel, hex }), written
 * synchronously so a kill loses nothing reported: what a wiretap on every link would have (seizure drills).
 */
export function captured(transport: Transport, path: string): Transport {
  const send: Transport['send'] = (envelope, route, options) => {
    appendFileSync(path, `${JSON.stringify({ at: Date.now(), channel: transport.name, hex: Buffer.from(envelope).toString('hex') })}\n`, { mode: 0o600 });
    return transport.send(envelope, route, options);
  };
  return Object.assign(Object.create(transport) as Transport, { send });
}
