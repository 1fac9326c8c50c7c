import { socketPlatform } from '#socket';
import { movingDeadline, TIMEOUT_CEILINGS, TransportError, type RoundTripTimer } from '@herald/core';
import { aborted, describeClose, describeSocketError, fromRelayError, isPermanentClose } from './errors.js';
import type { ResolvedInit } from './init.js';
import { canonicalRelayUrl, COVER_QUERY_PARAMETER, coverSchedule, type CoverSchedule, decodePadded, decodeRelayFrame, encodeAck, encodeCover, encodeDeposit, encodePadded, encodePrekeysGet, encodePrekeysPut, ENVELOPE_FRAME_OVERHEAD, FrameError, frameBucket, idBatch, MAX_CREDIT, PADDED_FROM_CLIENT, PADDED_FROM_RELAY, PADDED_HEADER_BYTES, PADDING_QUERY_PARAMETER, PROTOCOL_VERSION, TIME_QUERY_PARAMETER, type RelayFrame } from '@herald/protocol/relay';

/** One authenticated connection to the relay. The transport makes a new one after each loss. */
export interface RelayConnection {
  /** Resolves with the acceptance time once the relay has stored the envelope durably. */
  deposit(envelope: Uint8Array, signal: AbortSignal | undefined): Promise<number>;
  /** Uploads a prekey bundle for this identity's mailbox; resolves how many one-time prekeys the relay holds for it. */
  uploadPrekeys(routingTag: Uint8Array, bundle: Uint8Array, signal: AbortSignal | undefined): Promise<number>;
  /** Fetches a bundle of the mailbox `routingTag` names from the relay's directory; empty when it holds none. */
  fetchPrekeys(routingTag: Uint8Array, signal: AbortSignal | undefined): Promise<Uint8Array>;
  /** Tells the relay the node has stored a pushed envelope, so the relay may drop it. */
  ack(deliveryId: number): void;
  close(): void;
  readonly isOpen: boolean;
}

export interface ConnectionEvents {
  onPush(deliveryId: number, envelope: Uint8Array, connection: RelayConnection): void;
  /** The relay's clock, from its WELCOME: how far it is ahead of this machine's (ms). */
  onClock(offsetMs: number): void;
  /** Called once, when an established connection ends. */
  onClosed(reason: string, permanent: boolean): void;
}

/** What answers a request: ACCEPTED (its time), or a prekey directory frame. */
type Answer = number | Extract<RelayFrame, { type: 'prekeys' | 'prekeys-held' }>;

interface Pending {
  resolve(answer: Answer): void;
  reject(error: TransportError): void;
  /** performance.now() past which the relay's answer is given up on (sendTimeoutMs, or more on a slow link). */
  readonly deadline: number;
  /** performance.now() when the deposit went out: its acceptance is a round-trip sample. */
  readonly sentAt: number;
}

/** The biggest frame a client accepts: a relay configured for large envelopes may push up to 64 MiB (padded: its bucket). */
const MAX_INBOUND_FRAME = frameBucket(64 * 1024 * 1024 + ENVELOPE_FRAME_OVERHEAD + PADDED_HEADER_BYTES);

/** The frames a connection answers the relay's CHALLENGE with (an AUTH or MAILBOX_AUTH, after any CERTIFICATE), for the canonical URL dialled. */
export type Authenticator = (challenge: Extract<RelayFrame, { type: 'challenge' }>, url: string) => readonly Uint8Array[];

/** Opens, authenticates with `authenticate`'s frames, and resolves once the relay said WELCOME. Rejects with a TransportError. */
export function connect(init: ResolvedInit, authenticate: Authenticator, events: ConnectionEvents, signal: AbortSignal, rtt: RoundTripTimer): Promise<RelayConnection> {
  const channel = init.name;
  if (signal.aborted) return Promise.reject(aborted(channel, 'connecting'));
  const startedAt = performance.now();
  // Connecting takes about three round trips after TCP (upgrade, CHALLENGE, AUTH → WELCOME); TLS adds two.
  const connectTimeout = (): number => rtt.timeout(init.connectTimeoutMs, TIMEOUT_CEILINGS.connectMs, init.url.startsWith('wss:') ? 5 : 3);
  // The socket's own limit covers only the upgrade; the timer below (which follows the round trip) covers it all.
  const socket = socketPlatform.openRelaySocket(dialledUrl(init), { connectTimeoutMs: TIMEOUT_CEILINGS.connectMs, maxPayload: MAX_INBOUND_FRAME, localAddress: init.localAddress, tls: init.tls, proxy: init.proxy, proxyTimeoutMs: init.connectTimeoutMs });
  /** Whether this connection pads (the relay's first frame says): undefined until it arrived. */
  let padded: boolean | undefined;
  let cover: CoverSchedule | undefined;
  // Each frame padded on its own (never a corked batch), and each real frame standing in for a due cover frame.
  const sendFrame = Object.assign(
    (frame: Uint8Array): void => {
      if (!padded) return socket.send(frame);
      cover?.realFrameSent();
      socket.send(encodePadded(PADDED_FROM_CLIENT, frame));
    },
    { flush: () => socket.send.flush() },
  );
  // The ACKs of one pass of the event loop (typically one store commit's worth) leave as one frame.
  const acks = idBatch((ids) => {
    if (!connection.isOpen) return;
    sendFrame(encodeAck(ids));
    // Flushed at once: this runs after the loop's pass, and the ACK is what frees the depositor's ACCEPTED.
    sendFrame.flush();
  }, socketPlatform.soon);
  const pending = new Map<number, Pending>();
  let nextRequest = 1;
  let established = false;
  let closed = false;
  let lastHeard = Date.now();
  /** This silence already outlasted one heartbeat timeout, and the timer was backed off for it (see startHeartbeat). */
  let backedOff = false;
  let heartbeat: NodeJS.Timeout | undefined;
  /** The one ping being timed (its payload names it): pongs of untimed pings may answer older pings, so they are no sample. */
  let probe: { readonly id: number; readonly at: number } | undefined;
  let probes = 0;
  /** performance.now() when AUTH went out: WELCOME is a round-trip sample. */
  let authSentAt: number | undefined;
  /** Date.now() when AUTH left: with the relay's time in WELCOME, it gives this machine's clock offset. */
  let authSentAtMs: number | undefined;
  let closeReason = 'connection closed';
  // One timer for every deposit's sendTimeoutMs, set for the oldest pending one: deadlines grow in the order deposits
  // are made, which is the map's order (the round trip they follow moves slowly; a deposit whose deadline came before
  // an older one's fails with it, a little late, never early). A timer per deposit cost more than the rest of a send's bookkeeping.
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
      rtt.timedOut();
      entry.reject(new TransportError('CHANNEL_TIMEOUT', channel, `no answer from the relay within ${Math.round(entry.deadline - entry.sentAt)} ms`));
    }
    armTimeouts();
  };

  /**
   * One request the relay answers by its id: `pick` reads the answer it expects (undefined: the relay answered
   * with another kind of frame, a protocol violation this request fails on).
   */
  function request<T>(requestSignal: AbortSignal | undefined, frame: (requestId: number) => Uint8Array, pick: (answer: Answer) => T | undefined): Promise<T> {
    if (requestSignal?.aborted) return Promise.reject(aborted(channel, 'send'));
    if (!connection.isOpen) return Promise.reject(new TransportError('CHANNEL_UNAVAILABLE', channel, 'not connected to the relay'));
    if (pending.size >= init.maxPendingSends) return Promise.reject(new TransportError('QUOTA_EXCEEDED', channel, `${init.maxPendingSends} sends already await the relay (maxPendingSends)`));
    const requestId = nextRequest;
    nextRequest = nextRequest >= 0xffffffff ? 1 : nextRequest + 1;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => finish(aborted(channel, 'send'));
      const finish = (outcome: Answer | TransportError): void => {
        if (!pending.delete(requestId)) return;
        requestSignal?.removeEventListener('abort', onAbort);
        if (outcome instanceof TransportError) return reject(outcome);
        const picked = pick(outcome);
        if (picked === undefined) reject(new TransportError('CHANNEL_UNAVAILABLE', channel, 'relay broke the protocol: an answer of the wrong kind'));
        else resolve(picked);
      };
      requestSignal?.addEventListener('abort', onAbort, { once: true });
      const sentAt = performance.now();
      pending.set(requestId, { resolve: finish, reject: finish, deadline: sentAt + rtt.timeout(init.sendTimeoutMs, TIMEOUT_CEILINGS.sendMs), sentAt });
      armTimeouts();
      // No write callback: a failed write closes the socket, and the close rejects every pending request.
      sendFrame(frame(requestId));
    });
  }

  const connection: RelayConnection = {
    get isOpen() {
      return established && !closed && socket.isOpen;
    },
    deposit(envelope, depositSignal) {
      return request(depositSignal, (requestId) => encodeDeposit(requestId, envelope), (answer) => (typeof answer === 'number' ? answer : undefined));
    },
    uploadPrekeys(routingTag, bundle, requestSignal) {
      return request(requestSignal, (requestId) => encodePrekeysPut(requestId, routingTag, bundle), (answer) => (typeof answer === 'object' && answer.type === 'prekeys-held' ? answer.oneTime : undefined));
    },
    fetchPrekeys(routingTag, requestSignal) {
      return request(requestSignal, (requestId) => encodePrekeysGet(requestId, routingTag), (answer) => (typeof answer === 'object' && answer.type === 'prekeys' ? answer.bundle : undefined));
    },
    ack(deliveryId) {
      if (connection.isOpen) acks.add(deliveryId);
    },
    close() {
      closeReason = 'closed by the transport';
      acks.flush();
      socket.close(1000);
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
    // Each round-trip sample taken during the attempt may move its deadline.
    const deadline = movingDeadline(rtt, connectTimeout, (limit) => fail(new TransportError('CHANNEL_TIMEOUT', channel, `connecting and authenticating took more than ${limit} ms`)));
    // The upgrade's answer is the first sample (an upper bound: it may include TCP's own handshake), so a slow link's
    // first attempt is given the time it needs instead of failing at the configured timeout.
    socket.on('upgrade', () => {
      rtt.sample(performance.now() - startedAt);
      if (!settled) deadline.rearm();
    });
    const onAbort = (): void => fail(aborted(channel, 'connecting'));
    signal.addEventListener('abort', onAbort, { once: true });
    const cleanupStart = (): void => {
      deadline.clear();
      signal.removeEventListener('abort', onAbort);
    };

    socket.on('error', (error) => {
      closeReason = init.proxy === undefined ? describeSocketError(error) : `through the proxy ${init.proxy.name}: ${describeSocketError(error)}`;
      fail(new TransportError('CHANNEL_UNAVAILABLE', channel, closeReason, { cause: error }));
    });
    socket.on('unexpected-response', (statusCode) => {
      fail(new TransportError('CHANNEL_UNAVAILABLE', channel, `relay answered HTTP ${statusCode} instead of a WebSocket upgrade`));
    });
    socket.on('pong', (data) => {
      lastHeard = Date.now();
      backedOff = false;
      if (probe && data.length === 4 && new DataView(data.buffer, data.byteOffset, 4).getUint32(0) === probe.id) {
        rtt.sample(performance.now() - probe.at);
        probe = undefined;
      }
    });
    socket.on('message', (data, isBinary) => {
      lastHeard = Date.now();
      backedOff = false;
      let frame: RelayFrame;
      try {
        if (!isBinary) throw new FrameError('text frame');
        // The relay's first frame says whether it pads: a PADDED CHALLENGE answers our asking for it.
        if (padded === undefined) {
          padded = data[0] === PADDED_FROM_RELAY && init.padding !== 'off';
          if (!padded && init.padding === 'required') {
            closeReason = 'the relay does not pad its frames (padding: required)';
            fail(new TransportError('CHANNEL_REJECTED', channel, closeReason));
            return;
          }
        }
        let bytes = data;
        if (padded) {
          const unpadded = decodePadded(PADDED_FROM_RELAY, data);
          // Cover traffic (an echo of ours, or the relay's own, answered as a node answers a push): heard, and dropped.
          if (unpadded.cover) return void (unpadded.echo && answerCover(unpadded.bytes));
          bytes = unpadded.frame;
        }
        frame = decodeRelayFrame(bytes);
      } catch (error) {
        closeReason = `relay sent a malformed frame: ${(error as Error).message}`;
        fail(new TransportError('CHANNEL_UNAVAILABLE', channel, closeReason));
        socket.terminate();
        return;
      }
      handle(frame);
    });
    socket.on('close', (code, closeText) => {
      closed = true;
      cover?.stop();
      clearInterval(heartbeat);
      clearTimeout(timeouts);
      const reason = code === 1005 || code === 1006 ? closeReason : describeClose(code, closeText);
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
          for (const answer of authenticate(frame, canonicalRelayUrl(init.url))) sendFrame(answer);
          sendFrame.flush();
          authSentAt = performance.now();
          authSentAtMs = Date.now();
          return;
        }
        case 'welcome':
          if (settled || established) return protocolViolation('a second WELCOME');
          if (authSentAt !== undefined) rtt.sample(performance.now() - authSentAt);
          // The relay read its clock between our AUTH and its WELCOME: the middle of that round trip.
          if (frame.relayTimeMs !== undefined && authSentAtMs !== undefined) events.onClock(frame.relayTimeMs - (authSentAtMs + Date.now()) / 2);
          established = true;
          settled = true;
          cleanupStart();
          startHeartbeat();
          startCover();
          resolve(connection);
          return;
        case 'accepted': {
          const at = Date.now();
          // One sample per frame (the oldest deposit it answers): a batch of acceptances is one round trip.
          const first = pending.get(frame.requestIds[0] ?? 0);
          if (first) rtt.sample(performance.now() - first.sentAt);
          for (const requestId of frame.requestIds) pending.get(requestId)?.resolve(at);
          return;
        }
        case 'error': {
          const entry = pending.get(frame.requestId);
          if (entry) entry.reject(fromRelayError(channel, frame.code, frame.text));
          return;
        }
        case 'prekeys':
        case 'prekeys-held':
          pending.get(frame.requestId)?.resolve(frame);
          return;
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

    /** Cover traffic, on a padded connection only: an unpadded relay would take a cover frame for a protocol error. */
    function startCover(): void {
      const shape = init.coverTraffic;
      if (!shape || !padded) return;
      cover = coverSchedule(shape.framesPerMinute, () => {
        if (connection.isOpen) socket.send(encodeCover(PADDED_FROM_CLIENT, shape.frameBytes, shape.echo));
      });
    }

    /**
     * The relay's own cover frame asks for an answer: one of the same length, as an ACK follows a PUSH. Only when this
     * end asked for the relay's cover, and at most twice its own rate (plus a burst) a minute, whatever a relay sends.
     */
    let answered = 0;
    let answeredSince = Date.now();
    function answerCover(bytes: number): void {
      const shape = init.coverTraffic;
      if (!shape?.echo || !connection.isOpen) return;
      if (Date.now() - answeredSince >= 60_000) {
        answered = 0;
        answeredSince = Date.now();
      }
      if (answered >= 2 * shape.framesPerMinute + MAX_CREDIT) return;
      answered++;
      socket.send(encodeCover(PADDED_FROM_CLIENT, bytes));
    }

    function startHeartbeat(): void {
      // A page cannot send pings or see pongs: there the browser's own WebSocket stack notices a dead peer.
      if (!socket.canPing) return;
      lastHeard = Date.now();
      backedOff = false;
      heartbeat = setInterval(() => {
        // Silence allowed: the configured timeout, or on a slow link one interval plus the time a ping's answer needs.
        const limit = rtt.timeout(init.heartbeatTimeoutMs, TIMEOUT_CEILINGS.heartbeatMs, 1, init.heartbeatIntervalMs);
        if (Date.now() - lastHeard > limit) {
          // As TCP's retransmission timer: the first time out backs the timer off (doubled) and probes again, for a
          // link whose round trip just grew (a route onto a satellite, a loss held behind its resend) is slow, not
          // dead; a link still silent when the backed-off timeout passes too is given up.
          if (!backedOff) {
            backedOff = true;
            rtt.timedOut();
          } else {
            closeReason = `heartbeat: nothing heard from the relay for ${limit} ms (the timeout backed off once)`;
            socket.terminate();
            return;
          }
        }
        if (!socket.isOpen) return;
        if (probe) return socket.ping();
        probes = (probes + 1) >>> 0;
        probe = { id: probes, at: performance.now() };
        const payload = new Uint8Array(4);
        new DataView(payload.buffer).setUint32(0, probe.id);
        socket.ping(payload);
      }, init.heartbeatIntervalMs);
      // A timer is an object with unref() under Node, a number in a page.
      heartbeat.unref?.();
    }
  });
}

/**
 * The URL to dial: the configured one, asking for the relay's clock in WELCOME, unless padding is off for padded
 * frames, and with echoed cover traffic for the relay's own cover at the same rate (relays that do not know a query
 * parameter ignore it). Inside TLS on wss://, like the path.
 */
function dialledUrl(init: ResolvedInit): string {
  const dialled = new URL(init.url);
  dialled.searchParams.set(TIME_QUERY_PARAMETER, '1');
  if (init.padding !== 'off') dialled.searchParams.set(PADDING_QUERY_PARAMETER, '1');
  if (init.coverTraffic?.echo) dialled.searchParams.set(COVER_QUERY_PARAMETER, String(init.coverTraffic.framesPerMinute));
  return dialled.toString();
}
