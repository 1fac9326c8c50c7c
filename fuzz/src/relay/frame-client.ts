import WebSocket from 'ws';
import type { Identity } from '@herald/core';
import { relayProtocol as protocol } from '@herald/transport-websocket';
import { Inbox } from './inbox.js';

type RelayFrame = ReturnType<typeof protocol.decodeRelayFrame>;
type ChallengeFrame = RelayFrame & { type: 'challenge' };
export type Wait = RelayFrame | { readonly type: 'closed'; readonly code: number; readonly reason: string } | { readonly type: 'timeout' };

/**
 * A relay client driven frame by frame, as the fuzzer and the probe need it:
 * whatever bytes it is told to send, every frame it receives decoded, every
 * PUSH acknowledged at once (an honest reader, so fuzzing leaves no mail behind).
 */
export class FrameClient {
  private readonly inbox = new Inbox<Wait>();
  /** Frames from the relay that did not decode (the relay must never send one). */
  undecodable = 0;

  private constructor(
    readonly socket: WebSocket,
    readonly challenge: ChallengeFrame,
    private readonly url: string,
  ) {
    socket.on('message', (data, isBinary) => {
      if (!isBinary) this.undecodable++;
      else this.receive(new Uint8Array(data as Buffer));
    });
    socket.on('close', (code, reason) => this.inbox.end({ type: 'closed', code, reason: reason.toString() }));
  }

  /** Connects and waits for the CHALLENGE; a string says why there was none. */
  static async open(url: string, timeoutMs: number): Promise<FrameClient | string> {
    const socket = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
    socket.on('error', () => undefined);
    return new Promise((resolve) => {
      const finish = (result: FrameClient | string): void => {
        clearTimeout(timer);
        if (typeof result === 'string') socket.terminate();
        resolve(result);
      };
      const onClose = (code: number): void => {
        socket.off('message', onMessage);
        finish(`closed (${code}) before CHALLENGE`);
      };
      const onMessage = (data: WebSocket.RawData): void => {
        // Off before the client's own listeners go on, so they are the only ones left.
        socket.off('close', onClose);
        socket.off('message', onMessage);
        try {
          const frame = protocol.decodeRelayFrame(new Uint8Array(data as Buffer));
          finish(frame.type === 'challenge' ? new FrameClient(socket, frame, url) : `first frame was ${frame.type}, not CHALLENGE`);
        } catch (error) {
          finish(`first frame does not decode: ${(error as Error).message}`);
        }
      };
      const timer = setTimeout(() => {
        socket.off('close', onClose);
        socket.off('message', onMessage);
        finish(`no CHALLENGE within ${timeoutMs} ms`);
      }, timeoutMs);
      socket.on('close', onClose);
      socket.on('message', onMessage);
    });
  }

  private receive(bytes: Uint8Array): void {
    let frame: RelayFrame;
    try {
      frame = protocol.decodeRelayFrame(bytes);
    } catch {
      this.undecodable++;
      return;
    }
    if (frame.type === 'push') this.send(protocol.encodeAck(frame.deliveryId));
    this.inbox.push(frame);
  }

  get closed(): boolean {
    return this.inbox.ended;
  }

  send(bytes: Uint8Array | string): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(bytes);
  }

  /** The AUTH frame for this connection's CHALLENGE, signed as `identity`, claiming its mailbox. */
  authFrame(identity: Identity): Uint8Array {
    return protocol.answerChallenge(identity, this.challenge, protocol.canonicalRelayUrl(this.url), true);
  }

  /** Frames received so far and not yet taken by a wait, removed from the list. */
  drain(): RelayFrame[] {
    return this.inbox.drain().filter((item): item is RelayFrame => item.type !== 'closed' && item.type !== 'timeout');
  }

  /** The first received frame matching `predicate` (removed from the list), or how the wait ended. */
  waitFor(predicate: (frame: RelayFrame) => boolean, timeoutMs: number): Promise<Wait> {
    return this.inbox.waitFor((item) => item.type !== 'closed' && item.type !== 'timeout' && predicate(item), timeoutMs, { type: 'timeout' });
  }

  /** Ends the connection without waiting for the close handshake. */
  terminate(): void {
    this.socket.terminate();
  }
}
