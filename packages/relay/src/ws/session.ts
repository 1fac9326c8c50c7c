import { randomFillSync } from 'node:crypto';
import WebSocket from 'ws';
import { toHex } from '@herald/core';
import { relayProtocol as protocol } from '@herald/protocol';
import type { RelayCore } from '../core.js';
import type { Payer } from '../policy/accounts.js';
import { raiseFrameLimit } from './frame-limit.js';
import type { MailEntry } from '../store/relay-store.js';
import { Pusher } from './pusher.js';
import { tokenBucket } from '../policy/rate.js';
import { sodium } from '../sodium.js';
import { StorageFailure } from '../store/storage-health.js';
import type { AuthFailureReason } from '../metrics.js';
import { checkUpload, directoryBundle } from './prekey-frames.js';
import { DirectoryUnsupportedError } from '../store/prekey-directory.js';
import { SessionCover } from './session-cover.js';
import { SessionDeposits } from './session-deposits.js';
import { admitMailboxes } from './mailbox-auth.js';
import { admitIdentity } from './identity-auth.js';
import type { CertificateChain } from '@herald/trust';

const { CLOSE_CODES, ERROR_CODES } = protocol;
type ErrorName = keyof typeof ERROR_CODES;
type CloseName = keyof typeof CLOSE_CODES;

/** What the relay tells a session about its peer, and what it wants to hear back. */
export interface SessionPeer {
  /** The source address its per-address limits count under (sourceAddress). */
  readonly address: string;
  /** The largest frame it may send once authenticated. */
  readonly maxFrameBytes: number;
  /** Whether its upgrade request asked for the relay's clock in WELCOME (protocol.TIME_QUERY_PARAMETER). */
  readonly wantsTime: boolean;
  /** Whether every frame, both ways, travels padded (it asked, protocol.PADDING_QUERY_PARAMETER, and the relay pads). */
  readonly padded: boolean;
  /** Cover frames a minute the relay sends it after WELCOME (it asked, protocol.COVER_QUERY_PARAMETER; capped); 0: none. */
  readonly coverPerMinute: number;
  /** Called once, when it authenticated (WELCOME sent). */
  authenticated(): void;
}

/**
 * Before WELCOME the relay sends a CHALLENGE and, at most, small ERROR frames: a connection that makes it queue
 * more without reading (pings, deposits refused before AUTH) is a slow consumer. Bounds what it holds outbound.
 */
const PRE_AUTH_MAX_BUFFERED_BYTES = 16 * 1024;

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
  /** The authenticated identity's Ed25519 key: the only owner whose prekeys this connection may upload. */
  private signingKey: Uint8Array | undefined;
  /** The chain a CERTIFICATE frame showed, checked at AUTH when the relay admits by certificate (else not kept). */
  private certificate: Uint8Array | undefined;
  private certificateShown = false;
  private revocationsShown = false;
  private canDeposit = false;
  /** The accounts this connection's deposits are charged to: its identity's and its address's. */
  private payer: Payer | undefined;
  private readonly pusher: Pusher;
  private readonly bucket;
  /** Sends bytes as they go on the wire (padded already, on a padded connection). */
  private readonly sendWire: (bytes: Uint8Array) => void;
  /** Cover traffic on a padded connection: echoes, and the relay's own from WELCOME on (when asked for). */
  private readonly cover: SessionCover;
  private readonly deposits: SessionDeposits;
  /** Heartbeat bookkeeping, read by the relay's single sweep timer. */
  heardSinceSweep = true;
  bufferedAtLastSweep = 0;

  constructor(private readonly core: RelayCore, private readonly socket: WebSocket, number: number, private readonly peer: SessionPeer) {
    this.number = number;
    this.sendWire = protocol.corkingSender(socket);
    const session = this;
    this.pusher = new Pusher(core, {
      get ready() {
        return session.state === 'ready';
      },
      get tags() {
        return session.tags;
      },
      get buffered() {
        return socket.bufferedAmount;
      },
      send: (frame) => this.send(frame),
    });
    this.bucket = tokenBucket(core.init.depositsPerSecond, core.init.depositBurst, Date.now());
    this.cover = new SessionCover(core, this.bucket, {
      get ready() {
        return session.state === 'ready';
      },
      sendPadded: (bytes) => this.sendPadded(bytes),
    });
    this.deposits = new SessionDeposits(core, this.bucket, {
      get ready() {
        return session.state === 'ready';
      },
      get canDeposit() {
        return session.canDeposit;
      },
      get payer() {
        return session.payer;
      },
      number,
      send: (frame) => this.send(frame),
      refuse: (name, requestId, text) => this.refuse(name, requestId, text),
      refuseStorage: (requestId, failure) => this.refuseStorage(requestId, failure),
    });
    this.relaySecret = randomFillSync(new Uint8Array(32));
    this.challengeFrame = protocol.encodeChallenge({
      version: protocol.PROTOCOL_VERSION,
      relayId: core.store.relayId,
      challenge: randomFillSync(new Uint8Array(protocol.CHALLENGE_BYTES)),
      relayKey: sodium.crypto_scalarmult_base(this.relaySecret),
      maxEnvelopeBytes: core.init.maxEnvelopeBytes,
    });
    this.authTimer = setTimeout(() => this.refuseAuth('timeout', 'AUTH_TIMEOUT', `no AUTH within ${core.init.authTimeoutMs} ms`), core.init.authTimeoutMs);
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
    // ws answers pings by itself; a peer that pings without reading fills the send buffer with pongs.
    socket.on('ping', () => this.checkBuffered());
    socket.send(this.wire(this.challengeFrame));
  }

  /** A frame as it goes on the wire: each frame padded on its own, so corked frames stay buckets each. */
  private wire(frame: Uint8Array): Uint8Array {
    return this.peer.padded ? protocol.encodePadded(protocol.PADDED_FROM_RELAY, frame) : frame;
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
    this.cover.stop();
    if (wasReady) this.core.metrics.authenticated.dec();
    this.payer?.leave();
    this.core.admission?.untrack(this);
    for (const tag of this.tags) {
      const set = this.core.subscribers.get(tag);
      set?.delete(this);
      if (set?.size === 0) this.core.subscribers.delete(tag);
    }
    this.pusher.clear();
  }

  /** A new entry in one of this connection's mailboxes, being committed or just committed. Says whether it was pushed now. */
  offer(entry: MailEntry): boolean {
    return this.pusher.offer(entry);
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.state === 'closed') return;
    if (!isBinary) return this.close('PROTOCOL_ERROR', 'text frames are not part of the protocol');
    let frame: ReturnType<typeof protocol.decodeClientFrame>;
    try {
      let bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      if (this.peer.padded) {
        const unpadded = protocol.decodePadded(protocol.PADDED_FROM_CLIENT, bytes);
        if (unpadded.cover) return this.cover.received(unpadded.echo, unpadded.bytes);
        bytes = unpadded.frame;
      }
      frame = protocol.decodeClientFrame(bytes);
    } catch (error) {
      return this.close('PROTOCOL_ERROR', (error as Error).message);
    }
    switch (frame.type) {
      case 'auth':
        return this.onAuth(frame);
      case 'mailbox-auth':
        return this.onMailboxAuth(frame);
      case 'deposit':
        return this.deposits.deposit(frame.requestId, frame.envelope);
      case 'ack':
        return this.onAck(frame.deliveryIds);
      case 'certificate':
        // One chain, before AUTH; a relay that does not admit by certificate ignores it.
        if (this.state !== 'challenged' || this.certificateShown) return this.close('PROTOCOL_ERROR', 'CERTIFICATE after AUTH, or twice');
        this.certificateShown = true;
        if (this.core.admission) this.certificate = frame.chain;
        return;
      case 'revocations':
        return this.onRevocations(frame.requestId, frame.list);
      case 'prekeys-put':
        return this.onPrekeysPut(frame.requestId, toHex(frame.routingTag), frame.bundle);
      case 'prekeys-get':
        return this.onPrekeysGet(frame.requestId, toHex(frame.routingTag));
    }
  }

  /**
   * A revocation list pushed by anyone (docs/relay-protocol.md 4.2): its signature by one of the relay's authorities
   * is what authenticates it, so it is taken before AUTH too (once per connection there; a frame that fits the
   * pre-AUTH limit). Taking it closes the connections it revokes, as the watched file does.
   */
  private onRevocations(requestId: number, list: Uint8Array): void {
    if (this.state === 'challenged' ? this.revocationsShown : !this.bucket.take(Date.now())) return this.refuse('RATE_LIMITED', requestId, 'one revocation list per connection before AUTH; slow down');
    this.revocationsShown = true;
    const admission = this.core.admission;
    if (!admission) return this.refuse('NOT_ALLOWED', requestId, 'this relay does not admit by certificate; it keeps no revocation list');
    try {
      const outcome = admission.update(list);
      this.core.log.info({ connection: this.number, outcome }, 'revocation list pushed');
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      return this.refuse('REVOCATIONS_REFUSED', requestId, `${typeof code === 'string' ? `${code}: ` : ''}${(error as Error).message}`);
    }
    this.send(protocol.encodeAccepted(requestId));
  }

  /** A newer revocation list (or the clock) withdrew this client's certificate. */
  expel(reason: string): void {
    this.close('NOT_ALLOWED', reason);
  }

  private onAuth(auth: protocol.Auth): void {
    if (this.state !== 'challenged') return this.close('PROTOCOL_ERROR', 'a second AUTH');
    const admitted = admitIdentity(this.core, auth, this.challengeFrame, this.relaySecret, this.certificate);
    if ('refusal' in admitted) return this.refuseAuth(admitted.reason, admitted.close, admitted.refusal);
    this.canDeposit = admitted.canDeposit;
    this.signingKey = admitted.signingPublicKey;
    this.enter(admitted.tags, admitted.account, admitted.chain);
  }

  /** Epoch mailboxes by their blinded keys (docs/relay-protocol.md 4.4): no identity, so no prekey uploads either. */
  private onMailboxAuth(auth: protocol.MailboxAuth): void {
    if (this.state !== 'challenged') return this.close('PROTOCOL_ERROR', 'a second AUTH');
    this.relaySecret.fill(0);
    const admitted = admitMailboxes(this.core, auth, this.challengeFrame);
    if ('refusal' in admitted) return this.refuseAuth(admitted.reason, admitted.close, admitted.refusal);
    this.canDeposit = true;
    this.enter(admitted.tags, admitted.account, undefined);
  }

  /** Authenticated: collects `tags`, deposits charged to `account` (and the source address). Logs no tag or key. */
  private enter(tags: readonly string[], account: string, chain: CertificateChain | undefined): void {
    try {
      raiseFrameLimit(this.socket, this.peer.maxFrameBytes);
    } catch (error) {
      this.core.log.error({ connection: this.number, err: { message: (error as Error).message } }, 'cannot raise the frame limit');
      return this.close('INTERNAL_ERROR', 'internal error');
    }
    clearTimeout(this.authTimer);
    this.certificate = undefined;
    this.state = 'ready';
    this.peer.authenticated();
    this.tags = tags;
    if (this.canDeposit) this.payer = this.core.accounts.payer(account, this.peer.address);
    // Proven owners collect these mailboxes: from now on they get the full quota and retention.
    this.core.store.markCollected(this.tags).catch((error: unknown) => this.core.log.error({ err: { message: (error as Error).message } }, 'recording a collected mailbox failed'));
    this.core.metrics.authenticated.inc();
    if (chain) this.core.admission?.track(this, chain);
    for (const tag of this.tags) {
      let set = this.core.subscribers.get(tag);
      if (!set) this.core.subscribers.set(tag, (set = new Set()));
      set.add(this);
    }
    this.socket.send(this.wire(protocol.encodeWelcome(this.tags.length, this.peer.wantsTime ? Date.now() : undefined)));
    this.pusher.wake();
    this.cover.start(this.peer.coverPerMinute);
  }

  /** A refused authentication: counted by its reason (a closed set) besides its close code. */
  private refuseAuth(reason: AuthFailureReason, name: 'AUTH_FAILED' | 'NOT_ALLOWED' | 'AUTH_TIMEOUT', text: string): void {
    this.core.metrics.authFailures.inc({ reason });
    this.close(name, text);
  }

  private refuse(name: ErrorName, requestId: number, text: string): void {
    this.core.metrics.rejections.inc({ code: name });
    this.send(protocol.encodeError(ERROR_CODES[name], requestId, text));
  }

  /** Retryable either way: the depositor's node fails over to another relay and tries here again later. */
  private refuseStorage(requestId: number, failure: StorageFailure): void {
    if (failure.full) this.refuse('STORAGE_FULL', requestId, 'the relay’s disk is full; try again later');
    else this.refuse('UNAVAILABLE', requestId, 'the relay could not store the envelope');
  }

  /**
   * Prekeys for the prekey directory (docs/relay-protocol.md 4.3): only for a mailbox this connection proved, only
   * the authenticated identity's own, every one verified here too (a relay keeps nothing a sender would refuse).
   */
  private onPrekeysPut(requestId: number, tag: string, bytes: Uint8Array): void {
    if (this.state !== 'ready') return this.refuse('NOT_AUTHENTICATED', requestId, 'authenticate before uploading prekeys');
    if (!this.signingKey) return this.refuse('PREKEYS_REFUSED', requestId, 'a MAILBOX_AUTH connection shows no identity, and a prekey bundle names one: upload over AUTH');
    const now = Date.now();
    if (!this.bucket.take(now)) return this.refuse('RATE_LIMITED', requestId, 'too many requests; slow down');
    if (!this.tags.includes(tag)) return this.refuse('PREKEYS_REFUSED', requestId, 'not a mailbox this connection proved it owns');
    const upload = checkUpload(bytes, this.signingKey, now);
    if ('refusal' in upload) return this.refuse('PREKEYS_REFUSED', requestId, upload.refusal);
    this.directoryWork(
      requestId,
      this.core.store.putPrekeys(tag, upload, now).then((held) => (held === 'full' ? undefined : protocol.encodePrekeysHeld(requestId, held))),
    );
  }

  /** A fetch from the prekey directory: by identities that may deposit, paced by their deposit buckets. */
  private onPrekeysGet(requestId: number, tag: string): void {
    if (this.state !== 'ready') return this.refuse('NOT_AUTHENTICATED', requestId, 'authenticate before fetching prekeys');
    if (!this.canDeposit || !this.payer) return this.refuse('NOT_ALLOWED', requestId, 'this identity may not deposit here, so it fetches no prekeys');
    const now = Date.now();
    if (!this.bucket.take(now)) return this.refuse('RATE_LIMITED', requestId, 'too many requests; slow down');
    const limited = this.payer.rateRefusal(now);
    if (limited) return this.refuse(limited.code, requestId, limited.text);
    this.directoryWork(requestId, this.core.store.takePrekeys(tag, now).then((given) => protocol.encodePrekeys(requestId, directoryBundle(given))));
  }

  /** Sends the directory's answer (undefined: the directory is full), or the refusal its failure calls for. */
  private directoryWork(requestId: number, answer: Promise<Uint8Array | undefined>): void {
    answer.then(
      (frame) => (frame ? this.send(frame) : this.refuse('RELAY_FULL', requestId, 'the relay’s prekey directory is full')),
      (error: unknown) => {
        if (error instanceof DirectoryUnsupportedError) return this.refuse('NO_DIRECTORY', requestId, 'this relay keeps no prekey directory');
        if (error instanceof StorageFailure) return this.refuseStorage(requestId, error);
        this.core.log.error({ connection: this.number, err: { message: (error as Error).message } }, 'the prekey directory failed');
        this.refuse('UNAVAILABLE', requestId, 'the relay could not reach its prekey directory');
      },
    );
  }

  private onAck(deliveryIds: readonly number[]): void {
    if (this.state !== 'ready') return this.close('PROTOCOL_ERROR', 'ACK before authentication');
    for (const deliveryId of deliveryIds) this.pusher.acked(deliveryId);
  }

  private send(frame: Uint8Array): void {
    // A real frame stands in for the next cover frame due.
    this.cover.realFrameSent();
    this.sendPadded(this.wire(frame));
  }

  private sendPadded(bytes: Uint8Array): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    // Corked: the ACCEPTEDs of one group commit, or a burst of pushes, leave in one writev.
    // No per-frame callback: a push paused by a full buffer resumes on the next ACK (the buffer holds unacked
    // pushes), and a client that sends no ACK and does not read is closed by the heartbeat sweep.
    this.sendWire(bytes);
    this.checkBuffered();
  }

  private checkBuffered(): void {
    const limit = this.state === 'ready' ? this.core.init.maxBufferedBytes : PRE_AUTH_MAX_BUFFERED_BYTES;
    if (this.socket.bufferedAmount > limit) this.close('SLOW_CONSUMER', `send buffer above ${limit} bytes`);
  }
}
