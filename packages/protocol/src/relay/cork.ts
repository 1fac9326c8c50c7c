/** What corkingSender needs of a WebSocket (ws's WebSocket is one): no dependency on ws here. */
export interface FrameSocket {
  send(frame: Uint8Array, callback?: (error?: Error) => void): void;
}

/** Sends a frame through the corked socket; `flush` sends what is corked now instead of at the end of the pass. */
export interface CorkingSender {
  (frame: Uint8Array, callback?: (error?: Error) => void): void;
  flush(): void;
}

/** The most bytes a corkingSender holds before it sends them (see below). */
export const MAX_CORKED_BYTES = 16 * 1024;

/**
 * Sends frames so that all those sent in one pass of the event loop leave in one
 * writev: the TCP socket under the WebSocket is corked at the first frame and
 * uncorked by setImmediate, which runs right after the loop's I/O phase, so every
 * frame produced while handling that phase's incoming data (a burst of pushes and
 * their ACKs, the ACCEPTEDs of one group commit) shares one syscall. Per-envelope syscalls otherwise dominate
 * the cost of small frames (deposits, ACCEPTEDs, pushes, ACKs). ws keeps the
 * socket as `_socket`; if a ws version hides it, frames are simply sent one by one.
 *
 * At most MAX_CORKED_BYTES wait in the cork: a bigger burst leaves in pieces of
 * about that size while the rest is still being produced. With one uncork per
 * pass, a relay handling 64 deposits from one read sent all 64 pushes in one
 * write, and the client answered all 64 ACKs at once: the two ends took turns,
 * each idle while the other worked. In pieces, the peer starts on the first
 * pushes while the relay still handles the last deposits; bench:relay measured
 * the relay at 0.44–0.52× the bare forwarder with one uncork per pass and
 * 0.57–0.72× with 16 KiB pieces (8 KiB and 32 KiB measured 0.58–0.62).
 *
 * A frame sent from a setImmediate callback (a batch of ACKs gathered over one
 * pass) would otherwise wait a whole further pass, behind the next burst of
 * incoming data, for its uncork: such senders call `flush` after it.
 */
export function corkingSender(socket: FrameSocket): CorkingSender {
  let corked: { uncork: () => void } | undefined;
  let corkedBytes = 0;
  const uncork = (): void => {
    const tcp = corked;
    corked = undefined;
    corkedBytes = 0;
    tcp?.uncork();
  };
  const send = (frame: Uint8Array, callback?: (error?: Error) => void): void => {
    // Looked up at each send, not once: a client's socket has no TCP stream until it is connected.
    const tcp = (socket as unknown as { _socket?: { cork?: () => void; uncork?: () => void } })._socket;
    if (!corked && typeof tcp?.cork === 'function' && typeof tcp.uncork === 'function') {
      tcp.cork();
      const mine = { uncork: () => tcp.uncork!() };
      corked = mine;
      // Only this cork: one flushed early and corked again meanwhile is the next pass's to release.
      setImmediate(() => corked === mine && uncork());
    }
    if (callback) socket.send(frame, callback);
    else socket.send(frame);
    if (corked && (corkedBytes += frame.length) >= MAX_CORKED_BYTES) uncork();
  };
  return Object.assign(send, { flush: uncork });
}
