import WebSocket from 'ws';
import type { BlindedMailbox, Identity } from '@herald/core';
import { relayProtocol as protocol } from '@herald/protocol';

/** A hand-driven relay client for abuse tests: frames in, frames out, and how the connection ended. */
export interface RawClient {
  readonly socket: WebSocket;
  readonly challenge: ReturnType<typeof protocol.decodeRelayFrame> & { type: 'challenge' };
  /** Frames received after the CHALLENGE, decoded. */
  readonly frames: ReturnType<typeof protocol.decodeRelayFrame>[];
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Cover frames received (padded connections only): their lengths, in order. */
  readonly covers: number[];
  /** Sends a frame (padded on a padded connection; a string as a text frame). */
  send(bytes: Uint8Array | string): void;
  /** Sends bytes as they are, padded or not. */
  sendWire(bytes: Uint8Array): void;
  /** Answers the challenge as `identity` (collecting its mailbox) and waits for WELCOME. */
  authenticate(identity: Identity, collect?: boolean): Promise<void>;
  /** Answers the challenge with a MAILBOX_AUTH claiming these epoch mailboxes, and waits for WELCOME. */
  authenticateMailboxes(mailboxes: readonly Pick<BlindedMailbox, 'publicKey' | 'sign'>[]): Promise<void>;
  next(predicate: (frame: ReturnType<typeof protocol.decodeRelayFrame>) => boolean, timeoutMs?: number): Promise<ReturnType<typeof protocol.decodeRelayFrame>>;
  /** Deposits `envelope` as request `requestId` and waits for its answer: `ACCEPTED`, or the ERROR's code name. */
  deposit(requestId: number, envelope: Uint8Array): Promise<string>;
}

/**
 * `localAddress`: the loopback address to connect from (127.0.0.2, …), for the relay's per-address limits.
 * `padded`: ask for padded frames (docs/relay-protocol.md 10); every frame then goes padded both ways.
 */
export async function rawClient(url: string, options: { localAddress?: string; padded?: boolean } = {}): Promise<RawClient> {
  const { padded = false, ...socketOptions } = options;
  const dialled = new URL(url);
  if (padded) dialled.searchParams.set(protocol.PADDING_QUERY_PARAMETER, '1');
  const socket = new WebSocket(dialled.toString(), { perMessageDeflate: false, ...socketOptions });
  const frames: ReturnType<typeof protocol.decodeRelayFrame>[] = [];
  const covers: number[] = [];
  /** The frame inside (undefined: a cover frame, recorded). */
  const unwrap = (data: Buffer): Uint8Array | undefined => {
    const bytes = new Uint8Array(data);
    if (!padded) return bytes;
    const unpadded = protocol.decodePadded(protocol.PADDED_FROM_RELAY, bytes);
    if (!unpadded.cover) return unpadded.frame;
    covers.push(unpadded.bytes);
    return undefined;
  };
  const wrap = (bytes: Uint8Array): Uint8Array => (padded ? protocol.encodePadded(protocol.PADDED_FROM_CLIENT, bytes) : bytes);
  const waiters = new Set<() => void>();
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  socket.on('error', () => undefined);
  const challenge = await new Promise<RawClient['challenge']>((resolve, reject) => {
    socket.once('message', (data) => {
      const frame = protocol.decodeRelayFrame(unwrap(data as Buffer)!);
      if (frame.type !== 'challenge') reject(new Error(`expected CHALLENGE, got ${frame.type}`));
      else resolve(frame);
      socket.on('message', (more) => {
        const inner = unwrap(more as Buffer);
        if (inner) frames.push(protocol.decodeRelayFrame(inner));
        for (const wake of [...waiters]) wake();
      });
    });
    void closed.then(({ code }) => reject(new Error(`closed (${code}) before CHALLENGE`)));
  });
  const client: RawClient = {
    socket,
    challenge,
    frames,
    closed,
    covers,
    send: (bytes) => socket.send(typeof bytes === 'string' ? bytes : wrap(bytes)),
    sendWire: (bytes) => socket.send(bytes),
    async authenticate(identity, collect = true) {
      socket.send(wrap(protocol.answerChallenge(identity, challenge, protocol.canonicalRelayUrl(url), collect)));
      await client.next((frame) => frame.type === 'welcome');
    },
    async authenticateMailboxes(mailboxes) {
      socket.send(protocol.answerMailboxChallenge(mailboxes, challenge, protocol.canonicalRelayUrl(url)));
      await client.next((frame) => frame.type === 'welcome');
    },
    async deposit(requestId, envelope) {
      socket.send(wrap(protocol.encodeDeposit(requestId, envelope)));
      const answer = await client.next((frame) => (frame.type === 'accepted' && frame.requestIds.includes(requestId)) || (frame.type === 'error' && frame.requestId === requestId));
      return answer.type === 'error' ? (protocol.errorName(answer.code) ?? `code ${answer.code}`) : 'ACCEPTED';
    },
    next(predicate, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const found = frames.find(predicate);
          if (!found) return;
          cleanup();
          resolve(found);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error('timed out waiting for a frame'));
        }, timeoutMs);
        const onClose = ({ code, reason }: { code: number; reason: string }): void => {
          cleanup();
          reject(new Error(`connection closed (${code} ${reason}) while waiting for a frame`));
        };
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        void closed.then(onClose);
        check();
      });
    },
  };
  return client;
}
