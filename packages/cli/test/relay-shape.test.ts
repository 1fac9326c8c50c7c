import { describe, expect, it } from 'vitest';
import { generateIdentity } from '@herald/core';
import { channelFromUrl } from '../src/channels.js';
import { relayShape } from '../src/relay-shape.js';

describe('a relay channel URL’s traffic shape after #', () => {
  it('reads cover and padding, and leaves them out of the URL the transport dials', () => {
    expect(relayShape('wss://relay.example/herald')).toEqual({ url: 'wss://relay.example/herald', shape: {} });
    expect(relayShape('wss://relay.example/herald#cover=60&padding=required')).toEqual({ url: 'wss://relay.example/herald', shape: { padding: 'required', coverTraffic: { framesPerMinute: 60 } } });
    expect(channelFromUrl('ws://127.0.0.1:7700/#cover=60', generateIdentity()).name).toBe('ws://127.0.0.1:7700/');
  });

  it('refuses what it does not know, naming the URL', () => {
    expect(() => relayShape('ws://r/#cover=0')).toThrow('--via ws://r/#cover=0: #cover: expected cover frames a minute, 1 to 6000, got "0"');
    expect(() => relayShape('ws://r/#cover=fast')).toThrow('#cover: expected cover frames a minute');
    expect(() => relayShape('ws://r/#padding=yes')).toThrow('#padding: expected preferred, required or off, got "yes"');
    expect(() => relayShape('ws://r/#rate=5')).toThrow('unknown setting "rate" after # (known: cover, padding)');
    expect(() => channelFromUrl('ws://r/#padding=off&cover=60', generateIdentity())).toThrow('coverTraffic: needs padding');
  });
});
