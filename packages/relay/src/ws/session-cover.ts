import { relayProtocol as protocol } from '@herald/protocol';
import type { RelayCore } from '../core.js';
import type { TokenBucket } from '../policy/rate.js';

/** The relay's own cover frames are at most this long (the 16 KiB envelope bucket's frame bucket), whatever a client's are. */
const MAX_RELAY_COVER_BYTES = 16_640;

/**
 * One padded connection's cover traffic at the relay (docs/relay-protocol.md 10.4): echoes of the client's cover
 * frames, and the relay's own at the rate the client asked for. Every frame it sends takes a token of the
 * connection's deposit bucket, like any frame that makes the relay send, so a client cannot make it send faster than
 * it may deposit; one without a token is dropped or not sent, never refused (an ERROR would be a frame the cover did
 * not ask for).
 */
export class SessionCover {
  private schedule: protocol.CoverSchedule | undefined;
  /** Length of the relay's own cover frames: the client's last cover frame's, as its own are. */
  private bytes = protocol.MIN_FRAME_BUCKET;

  constructor(
    private readonly core: RelayCore,
    private readonly bucket: TokenBucket,
    /** Sends a frame already padded; `ready`: the connection is past WELCOME and open. */
    private readonly connection: { readonly ready: boolean; sendPadded(bytes: Uint8Array): void },
  ) {}

  /** A client's cover frame: dropped, or answered with one of the same length when it asks and the relay echoes. Before WELCOME nothing is echoed. */
  received(echo: boolean, bytes: number): void {
    const { coverFrames } = this.core.metrics;
    coverFrames.inc({ fate: 'received' });
    this.bytes = Math.min(bytes, MAX_RELAY_COVER_BYTES);
    if (!echo || !this.core.init.coverEcho || !this.connection.ready || !this.bucket.take(Date.now())) return void coverFrames.inc({ fate: 'dropped' });
    coverFrames.inc({ fate: 'echoed' });
    this.connection.sendPadded(protocol.encodeCover(protocol.PADDED_FROM_RELAY, bytes));
  }

  /** From WELCOME on: the relay's own cover frames, asking for an answer, at `perMinute` (0: none). */
  start(perMinute: number): void {
    if (perMinute > 0) this.schedule = protocol.coverSchedule(perMinute, () => this.sendOwn());
  }

  /** A real frame went out: it stands in for the next cover frame due. */
  realFrameSent(): void {
    this.schedule?.realFrameSent();
  }

  stop(): void {
    this.schedule?.stop();
  }

  private sendOwn(): void {
    if (!this.connection.ready || !this.bucket.take(Date.now())) return;
    this.core.metrics.coverFrames.inc({ fate: 'sent' });
    this.connection.sendPadded(protocol.encodeCover(protocol.PADDED_FROM_RELAY, this.bytes, true));
  }
}
