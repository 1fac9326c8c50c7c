import { socketPlatform } from '#socket';
import { OptionsError, TransportError } from '@herald/core';
import { fromRelayError, describeClose, describeSocketError } from './errors.js';
import type { WebSocketTlsOptions } from './init.js';
import { FrameError, PRE_AUTH_MAX_FRAME_BYTES, decodeRelayFrame, encodeRevocations } from '@herald/protocol/relay';

export interface PublishRevocationsInit {
  /** The relay, `ws://…` or `wss://…`. */
  readonly url: string;
  /** The signed revocation list, binary (@herald/trust's `list.bytes`). */
  readonly list: Uint8Array;
  /** Gives up after this long. Default 10 000 ms. */
  readonly timeoutMs?: number;
  readonly tls?: WebSocketTlsOptions;
}

const REQUEST_ID = 1;

/**
 * Hands a revocation list to a relay that admits by certificate (docs/relay-protocol.md 4.2), before any AUTH:
 * the list's signature is its authentication, so no identity is needed. Resolves once the relay took it (or already
 * held it) and has closed the connections it revokes; rejects with a TransportError carrying the relay's reason
 * (REVOCATIONS_REFUSED or NOT_ALLOWED: CHANNEL_REJECTED; unreachable: CHANNEL_UNAVAILABLE).
 */
export function publishRevocations(init: PublishRevocationsInit): Promise<void> {
  if (!/^wss?:\/\//.test(init.url)) throw new OptionsError(`publishRevocations: url: expected ws:// or wss://, got ${JSON.stringify(init.url)}`);
  const frame = encodeRevocations(REQUEST_ID, init.list);
  if (frame.length > PRE_AUTH_MAX_FRAME_BYTES) throw new OptionsError(`publishRevocations: list: ${init.list.length} bytes is more than a relay reads before AUTH; put it in the relay's --admit-revocations file`);
  const timeoutMs = init.timeoutMs ?? 10_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new OptionsError('publishRevocations: timeoutMs: expected a positive whole number of ms');
  const channel = init.url;
  return new Promise((resolve, reject) => {
    const socket = socketPlatform.openRelaySocket(init.url, { connectTimeoutMs: timeoutMs, maxPayload: 64 * 1024, localAddress: undefined, tls: init.tls, proxy: undefined, proxyTimeoutMs: timeoutMs });
    let settled = false;
    const finish = (error?: TransportError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close(1000);
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => finish(new TransportError('CHANNEL_UNAVAILABLE', channel, `no answer to the revocation list within ${timeoutMs} ms`)), timeoutMs);
    socket.on('error', (error) => finish(new TransportError('CHANNEL_UNAVAILABLE', channel, describeSocketError(error))));
    socket.on('close', (code, reason) => finish(new TransportError('CHANNEL_UNAVAILABLE', channel, describeClose(code, reason))));
    socket.on('message', (data) => {
      let reply: ReturnType<typeof decodeRelayFrame>;
      try {
        reply = decodeRelayFrame(data);
      } catch (error) {
        return finish(new TransportError('CHANNEL_UNAVAILABLE', channel, `relay sent a bad frame: ${(error as FrameError).message}`));
      }
      if (reply.type === 'challenge') {
        socket.send(frame);
        return socket.send.flush();
      }
      if (reply.type === 'accepted' && reply.requestIds.includes(REQUEST_ID)) return finish();
      if (reply.type === 'error') return finish(fromRelayError(channel, reply.code, reply.text));
    });
  });
}
