import { describe, expect, it } from 'vitest';
import { generateIdentity } from '@herald/core';
import { relayProtocol as protocol } from '@herald/protocol';
import { rawClient } from './helpers/raw-client.js';
import { relayForFile } from './helpers/relay-process.js';

/** The relay's clock in WELCOME (docs/relay-protocol.md, sections 2 and 3): only for clients that ask. */
const relay = relayForFile();

async function welcomeFor(url: string): Promise<ReturnType<typeof protocol.decodeRelayFrame>> {
  const client = await rawClient(url);
  try {
    await client.authenticate(generateIdentity());
    return client.frames.find((frame) => frame.type === 'welcome')!;
  } finally {
    client.socket.close();
  }
}

describe('the relay time in WELCOME', () => {
  it('is carried when the upgrade request asks for it, read between AUTH and WELCOME', async () => {
    const before = Date.now();
    const welcome = await welcomeFor(`${relay().url}?${protocol.TIME_QUERY_PARAMETER}=1`);
    const after = Date.now();
    expect(welcome.type).toBe('welcome');
    const relayTimeMs = welcome.type === 'welcome' ? welcome.relayTimeMs : undefined;
    expect(relayTimeMs).toBeGreaterThanOrEqual(before);
    expect(relayTimeMs).toBeLessThanOrEqual(after);
  });

  it('is left out for a client that did not ask: the 2-byte WELCOME older clients read', async () => {
    const welcome = await welcomeFor(relay().url);
    expect(welcome).toEqual({ type: 'welcome', mailboxes: 1 });
  });
});
