import WebSocket from 'ws';
import { TransportError } from '@herald/core';
import { aborted, describeClose, describeSocketError, fromRelayError, isPermanentClose } from './errors.js';
import type { ResolvedInit } from './init.js';
import { answerChallenge, canonicalRelayUrl, corkingSender, decodeRelayFrame, encodeAck, encodeCertificate, encodeDeposit, ENVELOPE_FRAME_OVERHEAD, FrameError, idBatch, PROTOCOL_VERSION, type RelayFrame } from '@herald/protocol/relay';

/** One authenticated connection to the relay. The transport makes a new one after each loss. */
export interface RelayConnection {
  /** Resolves with the acceptance time once the relay has stored the envelope durably. */
  deposit(envelope: Uint8Array, signal: AbortSignal | undefined): Promise<number>;
  /** Tells the relay the node has stored a pushed envelope, so the relay may drop it. */
  ack(deliveryId: number): void;
  close(): void;
  readonly isOpen: boolean;
}

export interface ConnectionEvents {
  onPush(deliveryId: number, envelope: Uint8Array, connection: RelayConnection): void;
  /** Called once, when an established connection ends. */
  onClosed(reason: string, permanent: boolean): void;
}

interface Pending {
  resolve(at: number): void;
  reject(error: TransportError): void;
  /** performance.now() past which the relay's answer is given up on (sendTimeoutMs). */
  readonly deadline: number;
}

/** The biggest frame a client accepts: a relay configured for large envelopes may push up to 64 MiB. */
const MAX_INBOUND_FRAME = 64 * 1024 * 1024 + ENVELOPE_FRAME_OVERHEAD;

/** Opens, authenticates, and resolves once the relay said WELCOME. Rejects with a TransportError. */
export function connect(init: ResolvedInit, events: ConnectionEvents, signal: AbortSignal): Promise<RelayConnection> {
  const channel = init.name;
  if (signal.aborted) return Promise.reject(aborted(channel, 'connecting'));
  const socket = new WebSocket(init.url, {
    handshakeTimeout: init.connectTimeoutMs,
    maxPayload: MAX_INBOUND_FRAME,
    perMessageDeflate: false,
    ...(init.localAddress === undefined ? {} : { localAddress: init.localAddress }),
    ...(init.tls ?? {}),
  } as WebSocket.ClientOptions);
  const sendFrame = corkingSender(socket);
  // The ACKs of one pass of the event loop (typically one store commit's worth) leave as one frame.
  const acks = idBatch((ids) => {
    if (!connection.isOpen) return;
    sendFrame(encodeAck(ids));
    // Flushed at once: this runs from setImmediate, and the ACK is what frees the depositor's ACCEPTED.
    sendFrame.flush();
  }, setImmediate);
  const pending = new Map<number, Pending>();
  let nextRequest = 1;
  let established = false;
  let closed = false;
  let lastHeard = Date.now();
  let heartbeat: NodeJS.Timeout | undefined;
  let closeReason = 'connection closed';
  // One timer for every deposit's sendTimeoutMs, set for the oldest pending one: deadlines grow in the order deposits
  // are made, which is the map's order. A timer per deposit cost more than the rest of a send's bookkeeping.
  let timeouts: NodeJS.Timeout | undefined;
  const armTimeouts = (): void => {
    if (timeouts !== undefined) return;
    const oldest = pending.values().next().value;
    if (oldest) timeouts = setTimeout(expire, Math.max(0, oldest.deadline - performance.now()));
  };
  const expire = (): void => {
    timeouts = undefined;
    const now = performance.now();
    for (const entry of pending.values()) {
      if (entry.deadline > now) break;
      entry.reject(new TransportError('CHANNEL_TIMEOUT', channel, `no answer from the relay within ${init.sendTimeoutMs} ms`));
    }
    armTimeouts();
  };

  const connection: RelayConnection = {
    get isOpen() {
      return established && !closed && socket.readyState === WebSocket.OPEN;
    },
    deposit(envelope, depositSignal) {
      if (depositSignal?.aborted) return Promise.reject(aborted(channel, 'send'));
      if (!connection.isOpen) return Promise.reject(new TransportError('CHANNEL_UNAVAILABLE', channel, 'not connected to the relay'));
      if (pending.size >= init.maxPendingSends) return Promise.reject(new TransportError('QUOTA_EXCEEDED', channel, `${init.maxPendingSends} sends already await the relay (maxPendingSends)`));
      const requestId = nextRequest;
      nextRequest = nextRequest >= 0xffffffff ? 1 : nextRequest + 1;
      return new Promise<number>((resolve, reject) => {
        const onAbort = (): void => finish(aborted(channel, 'send'));
        const finish = (outcome: number | TransportError): void => {
          if (!pending.delete(requestId)) return;
          depositSignal?.removeEventListener('abort', onAbort);
          if (typeof outcome === 'number') resolve(outcome);
          else reject(outcome);
        };
        depositSignal?.addEventListener('abort', onAbort, { once: true });
        pending.set(requestId, { resolve: finish, reject: finish, deadline: performance.now() + init.sendTimeoutMs });
        armTimeouts();
        // No write callback: a failed write closes the socket, and the close rejects every pending deposit.
        sendFrame(encodeDeposit(requestId, envelope));
      });
    },
    ack(deliveryId) {
      if (connection.isOpen) acks.add(deliveryId);
    },
    close() {
      closeReason = 'closed by the transport';
      acks.flush();
      socket.close(1000);
      // A peer that never answers the close handshake must not keep the socket.
      setTimeout(() => socket.terminate(), 1000).unref();
    },
  };

  return new Promise<RelayConnection>((resolve, reject) => {
    let settled = false;
    const fail = (error: TransportError): void => {
      if (settled) return;
      settled = true;
      cleanupStart();
      socket.terminate();
      reject(error);
    };
    const timer = setTimeout(() => fail(new TransportError('CHANNEL_TIMEOUT', channel, `connecting and authenticating took more than ${init.connectTimeoutMs} ms`)), init.connectTimeoutMs);
    const onAbort = (): void => fail(aborted(channel, 'connecting'));
    signal.addEventListener('abort', onAbort, { once: true });
    const cleanupStart = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };

    socket.on('error', (error) => {
      closeReason = describeSocketError(error);
      fail(new TransportError('CHANNEL_UNAVAILABLE', channel, closeReason, { cause: error }));
    });
    socket.on('unexpected-response', (_request, response) => {
      fail(new TransportError('CHANNEL_UNAVAILABLE', channel, `relay answered HTTP ${response.statusCode} instead of a WebSocket upgrade`));
    });
    socket.on('pong', () => void (lastHeard = Date.now()));
    socket.on('message', (data, isBinary) => {
      lastHeard = Date.now();
      let frame: RelayFrame;
      try {
        if (!isBinary) throw new FrameError('text frame');
        frame = decodeRelayFrame(new Uint8Array(data as Buffer));
      } catch (error) {
        closeReason = `relay sent a malformed frame: ${(error as Error).message}`;
        fail(new TransportError('CHANNEL_UNAVAILABLE', channel, closeReason));
        socket.terminate();
        return;
      }
      handle(frame);
    });
    socket.on('close', (code, reasonBytes) => {
      closed = true;
      clearInterval(heartbeat);
      clearTimeout(timeouts);
      const reason = code === 1005 || code === 1006 ? closeReason : describeClose(code, reasonBytes.toString('utf8'));
      const permanent = isPermanentClose(code);
      fail(new TransportError(permanent ? 'CHANNEL_REJECTED' : 'CHANNEL_UNAVAILABLE', channel, reason));
      for (const entry of [...pending.values()]) entry.reject(new TransportError('CHANNEL_UNAVAILABLE', channel, `${reason} before the relay accepted the envelope`));
      if (established) events.onClosed(reason, permanent);
    });

    function handle(frame: RelayFrame): void {
      switch (frame.type) {
        case 'challenge': {
          if (settled || established) return protocolViolation('a second CHALLENGE');
          if (frame.version !== PROTOCOL_VERSION) return fail(new TransportError('CHANNEL_REJECTED', channel, `relay speaks protocol version ${frame.version}, this client ${PROTOCOL_VERSION}`));
          // The chain first: a relay that admits only certified clients checks it when the AUTH arrives.
          if (init.certificate) socket.send(encodeCertificate(init.certificate), () => undefined);
          socket.send(answerChallenge(init.identity, frame, canonicalRelayUrl(init.url), init.collect), () => undefined);
          return;
        }
        case 'welcome':
          if (settled || established) return protocolViolation('a second WELCOME');
          established = true;
          settled = true;
          cleanupStart();
          startHeartbeat();
          resolve(connection);
          return;
        case 'accepted': {
          const at = Date.now();
          for (const requestId of frame.requestIds) pending.get(requestId)?.resolve(at);
          return;
        }
        case 'error': {
          const entry = pending.get(frame.requestId);
          if (entry) entry.reject(fromRelayError(channel, frame.code, frame.text));
          return;
        }
        case 'push':
          if (!established) return protocolViolation('a PUSH before WELCOME');
          events.onPush(frame.deliveryId, frame.envelope.slice(), connection);
          return;
      }
    }

    function protocolViolation(what: string): void {
      closeReason = `relay broke the protocol: ${what}`;
      fail(new TransportError('CHANNEL_UNAVAILABLE', channel, closeReason));
      socket.terminate();
    }

    function startHeartbeat(): void {
      lastHeard = Date.now();
      heartbeat = setInterval(() => {
        if (Date.now() - lastHeard > init.heartbeatTimeoutMs) {
          closeReason = `heartbeat: nothing heard from the relay for ${init.heartbeatTimeoutMs} ms`;
          socket.terminate();
          return;
        }
        if (socket.readyState === WebSocket.OPEN) socket.ping();
      }, init.heartbeatIntervalMs);
      heartbeat.unref();
    }
  });
}
