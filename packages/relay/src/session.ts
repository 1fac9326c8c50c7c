import { randomFillSync } from 'node:crypto';
import WebSocket from 'ws';
import { inspect, toHex } from '@herald/core';
import { relayProtocol as protocol } from '@herald/transport-websocket';
import type { RelayCore } from './core.js';
import type { MailEntry } from './mailboxes.js';
import { tokenBucket } from './rate.js';
import { sodium } from './sodium.js';

const { CLOSE_CODES, ERROR_CODES } = protocol;
type ErrorName = keyof typeof ERROR_CODES;
type CloseName = keyof typeof CLOSE_CODES;

interface InFlight {
  readonly tag: string;
  readonly seq: number;
  readonly key: string;
}

/**
 * One client connection: CHALLENGE, AUTH, then deposits, pushes and acks
 * (docs/relay-protocol.md). Every refusal is an ERROR frame or a close with a
 * stable code, counted in metrics; nothing a client sends can throw out of here.
 */
export class Session {
  readonly number: number;
  private state: 'challenged' | 'ready' | 'closed' = 'challenged';
  private readonly challengeFrame: Uint8Array;
  private readonly relaySecret: Uint8Array;
  private readonly authTimer: NodeJS.Timeout;
  private tags: readonly string[] = [];
  private canDeposit = false;
  private readonly inflight = new Map<number, InFlight>();
  private readonly inflightKeys = new Set<string>();
  private nextDelivery = 1;
  private pendingDeposits = 0;
  private pumpScheduled = false;
  /** Tags whose stored mail this connection has all been pushed: a new entry can go straight out, no store read. */
  private readonly caughtUp = new Set<string>();
  private readonly bucket;
  private readonly sendFrame: (frame: Uint8Array) => void;
  /** Heartbeat bookkeeping, read by the relay's single sweep timer. */
  heardSinceSweep = true;
  bufferedAtLastSweep = 0;

  constructor(private readonly core: RelayCore, private readonly socket: WebSocket, number: number) {
    this.number = number;
    this.sendFrame = protocol.corkingSender(socket);
    this.bucket = tokenBucket(core.init.depositsPerSecond, core.init.depositBurst, Date.now());
    this.relaySecret = randomFillSync(new Uint8Array(32));
    this.challengeFrame = protocol.encodeChallenge({
      version: protocol.PROTOCOL_VERSION,
      relayId: core.store.relayId,
      challenge: randomFillSync(new Uint8Array(protocol.CHALLENGE_BYTES)),
      relayKey: sodium.crypto_scalarmult_base(this.relaySecret),
      maxEnvelopeBytes: core.init.maxEnvelopeBytes,
    });
    this.authTimer = setTimeout(() => this.close('AUTH_TIMEOUT', `no AUTH within ${core.init.authTimeoutMs} ms`), core.init.authTimeoutMs);
    socket.on('message', (data, isBinary) => {
      this.heardSinceSweep = true;
      try {
        this.onMessage(data as Buffer, isBinary);
      } catch (error) {
        core.log.error({ connection: this.number, err: { message: (error as Error).message } }, 'unexpected error handling a frame');
        this.close('INTERNAL_ERROR', 'internal error');
      }
    });
    socket.on('pong', () => void (this.heardSinceSweep = true));
    socket.send(this.challengeFrame);
  }

  get authenticated(): boolean {
    return this.state === 'ready';
  }

  get buffered(): number {
    return this.socket.bufferedAmount;
  }

  ping(): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.ping();
  }

  /** Closes with a stable code (counted), then cuts the socket if the peer does not finish the close handshake. */
  close(name: CloseName, reason: string): void {
    if (this.state === 'closed') return;
    this.ended();
    if (name !== 'GOING_AWAY') this.core.metrics.rejections.inc({ code: name });
    this.core.log.debug({ connection: this.number, code: CLOSE_CODES[name], reason: name }, 'closing connection');
    this.socket.close(CLOSE_CODES[name], `${name}: ${reason}`.slice(0, 120));
    setTimeout(() => this.socket.terminate(), 1000).unref();
  }

  /** The socket is gone (closed by either side): forget subscriptions; unacknowledged entries stay stored. */
  ended(): void {
    if (this.state === 'closed') return;
    const wasReady = this.state === 'ready';
    this.state = 'closed';
    clearTimeout(this.authTimer);
    if (wasReady) this.core.metrics.authenticated.dec();
    for (const tag of this.tags) {
      const set = this.core.subscribers.get(tag);
      set?.delete(this);
      if (set?.size === 0) this.core.subscribers.delete(tag);
    }
    this.inflight.clear();
    this.inflightKeys.clear();
  }

  /** New mail for `tag` (or room in the window): push what fits, on the next turn so bursts coalesce. */
  wake(): void {
    if (this.pumpScheduled || this.state !== 'ready') return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** A new entry, just committed. Pushed at once when nothing older waits for this connection; else the pump reads it in order. */
  offer(entry: MailEntry): void {
    if (this.state !== 'ready') return;
    const { init, removing } = this.core;
    if (this.caughtUp.has(entry.tag) && this.inflight.size < init.pushWindow && this.socket.bufferedAmount < init.pauseBufferedBytes) {
      if (!this.inflightKeys.has(entry.key) && !removing.has(entry.key)) this.push(entry);
      return;
    }
    this.caughtUp.delete(entry.tag);
    this.wake();
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.state === 'closed') return;
    if (!isBinary) return this.close('PROTOCOL_ERROR', 'text frames are not part of the protocol');
    let frame: ReturnType<typeof protocol.decodeClientFrame>;
    try {
      frame = protocol.decodeClientFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    } catch (error) {
      return this.close('PROTOCOL_ERROR', (error as Error).message);
    }
    switch (frame.type) {
      case 'auth':
        return this.onAuth(frame);
      case 'deposit':
        return this.onDeposit(frame.requestId, frame.envelope);
      case 'ack':
        return this.onAck(frame.deliveryId);
    }
  }

  private onAuth(auth: protocol.Auth): void {
    if (this.state !== 'challenged') return this.close('PROTOCOL_ERROR', 'a second AUTH');
    const verdict = protocol.verifyAuth(auth, this.challengeFrame, this.relaySecret, (url) => this.core.urlAllowed(url));
    this.relaySecret.fill(0);
    if (!verdict.ok) return this.close('AUTH_FAILED', verdict.reason);
    const { depositors, collectors } = this.core;
    this.canDeposit = depositors === undefined || depositors.has(toHex(verdict.signingPublicKey));
    if (collectors && verdict.agreementKeys.some((key) => !collectors.has(toHex(key)))) return this.close('NOT_ALLOWED', 'a claimed mailbox is not on the allow-list');
    if (!this.canDeposit && verdict.tags.length === 0) return this.close('NOT_ALLOWED', 'this identity may not deposit and claims no mailbox');
    clearTimeout(this.authTimer);
    this.state = 'ready';
    this.tags = verdict.tags;
    this.core.metrics.authenticated.inc();
    for (const tag of this.tags) {
      let set = this.core.subscribers.get(tag);
      if (!set) this.core.subscribers.set(tag, (set = new Set()));
      set.add(this);
    }
    this.socket.send(protocol.encodeWelcome(this.tags.length));
    this.wake();
  }

  private refuse(name: ErrorName, requestId: number, text: string): void {
    this.core.metrics.rejections.inc({ code: name });
    this.send(protocol.encodeError(ERROR_CODES[name], requestId, text));
  }

  private onDeposit(requestId: number, envelope: Uint8Array): void {
    const { init, metrics } = this.core;
    if (this.state !== 'ready') return this.refuse('NOT_AUTHENTICATED', requestId, 'authenticate before depositing');
    if (!this.canDeposit) return this.refuse('NOT_ALLOWED', requestId, 'this identity may not deposit here');
    if (!this.core.accepting) return this.refuse('UNAVAILABLE', requestId, 'the relay is shutting down');
    if (!this.bucket.take(Date.now()) || this.pendingDeposits >= init.maxPendingDeposits) return this.refuse('RATE_LIMITED', requestId, 'too many deposits; slow down');
    if (envelope.length > init.maxEnvelopeBytes) return this.refuse('TOO_LARGE', requestId, `envelope of ${envelope.length} bytes exceeds ${init.maxEnvelopeBytes}`);
    let tags: readonly string[];
    let id: string;
    let expires: number;
    try {
      // One parse of the outer header: what a relay may read (tags, id, expiry), nothing more.
      const outline = inspect(envelope);
      ({ routingTags: tags, id } = outline);
      expires = outline.expires.getTime();
    } catch {
      return this.refuse('BAD_ENVELOPE', requestId, 'not a Herald envelope');
    }
    const now = Date.now();
    if (expires <= now) return this.refuse('EXPIRED', requestId, 'the envelope has expired');
    const keepUntil = Math.min(expires, now + init.maxRetentionSeconds * 1000);
    // The bytes are copied: ws may reuse its receive buffer once this handler returns.
    const bytes = envelope.slice();
    this.pendingDeposits++;
    const work = this.core.store.deposit(bytes, tags, id, keepUntil).then(
      (result) => {
        if (result.outcome === 'mailbox-full') return this.refuse('MAILBOX_FULL', requestId, 'the recipient’s mailbox is full');
        if (result.outcome === 'relay-full') return this.refuse('RELAY_FULL', requestId, 'the relay’s storage is full');
        this.send(protocol.encodeAccepted(requestId));
        if (result.outcome !== 'stored') return;
        metrics.envelopesIn.inc();
        metrics.bytesIn.inc(bytes.length);
        for (const entry of result.entries) for (const subscriber of this.core.subscribers.get(entry.tag) ?? []) subscriber.offer(entry);
      },
      (error: unknown) => {
        this.core.log.error({ connection: this.number, err: { message: (error as Error).message } }, 'storing a deposit failed');
        this.refuse('UNAVAILABLE', requestId, 'the relay could not store the envelope');
      },
    );
    this.core.deposits.add(work);
    void work.finally(() => {
      this.pendingDeposits--;
      this.core.deposits.delete(work);
    });
  }

  private onAck(deliveryId: number): void {
    if (this.state !== 'ready') return this.close('PROTOCOL_ERROR', 'ACK before authentication');
    const entry = this.inflight.get(deliveryId);
    // An unknown id is a late ack from before a purge or a stray; nothing to do.
    if (!entry) return;
    this.inflight.delete(deliveryId);
    this.inflightKeys.delete(entry.key);
    const { removing, store, metrics, log } = this.core;
    removing.add(entry.key);
    store.remove(entry.tag, entry.seq).then(
      () => metrics.envelopesAcked.inc(),
      (error: unknown) => log.error({ connection: this.number, err: { message: (error as Error).message } }, 'removing an acknowledged envelope failed'),
    ).finally(() => removing.delete(entry.key));
    this.wake();
  }

  private send(frame: Uint8Array): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    // Corked: the ACCEPTEDs of one group commit, or a burst of pushes, leave in one writev.
    // No per-frame callback: a push paused by a full buffer resumes on the next ACK (the buffer holds unacked
    // pushes), and a client that sends no ACK and does not read is closed by the heartbeat sweep.
    this.sendFrame(frame);
    if (this.socket.bufferedAmount > this.core.init.maxBufferedBytes) this.close('SLOW_CONSUMER', `send buffer above ${this.core.init.maxBufferedBytes} bytes`);
  }

  private push(entry: MailEntry): void {
    const deliveryId = this.nextDelivery;
    this.nextDelivery = this.nextDelivery >= 0xffffffff ? 1 : this.nextDelivery + 1;
    this.inflight.set(deliveryId, { tag: entry.tag, seq: entry.seq, key: entry.key });
    this.inflightKeys.add(entry.key);
    this.core.metrics.envelopesOut.inc();
    this.core.metrics.bytesOut.inc(entry.bytes.length);
    this.send(protocol.encodePush(deliveryId, entry.bytes));
  }

  private pump(): void {
    const { init, store, removing } = this.core;
    const skip = (key: string): boolean => this.inflightKeys.has(key) || removing.has(key);
    for (const tag of this.tags) {
      for (;;) {
        if (this.state !== 'ready') return;
        const room = init.pushWindow - this.inflight.size;
        if (room <= 0 || this.socket.bufferedAmount >= init.pauseBufferedBytes) {
          this.caughtUp.delete(tag);
          break;
        }
        const wanted = Math.min(16, room);
        const entries = store.list(tag, wanted, skip);
        for (const entry of entries) this.push(entry);
        if (entries.length < wanted) {
          this.caughtUp.add(tag);
          break;
        }
      }
    }
  }
}
