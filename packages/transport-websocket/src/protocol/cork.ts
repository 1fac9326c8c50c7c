import type WebSocket from 'ws';

/** Sends a frame through the corked socket; `flush` sends what is corked now instead of at the end of the pass. */
export interface CorkingSender {
  (frame: Uint8Array, callback?: (error?: Error) => void): void;
  flush(): void;
}

/**
 * Sends frames so that all those sent in one pass of the event loop leave in one
 * writev: the TCP socket under the WebSocket is corked at the first frame and
 * uncorked by setImmediate, which runs right after the loop's I/O phase, so every
 * frame produced while handling that phase's incoming data (a burst of pushes and
 * their ACKs, the ACCEPTEDs of one group commit) shares one syscall. Per-envelope syscalls otherwise dominate
 * the cost of small frames (deposits, ACCEPTEDs, pushes, ACKs). ws keeps the
 * socket as `_socket`; if a ws version hides it, frames are simply sent one by one.
 *
 * A frame sent from a setImmediate callback (a batch of ACKs gathered over one
 * pass) would otherwise wait a whole further pass, behind the next burst of
 * incoming data, for its uncork: such senders call `flush` after it.
 */
export function corkingSender(socket: WebSocket): CorkingSender {
  let corked: { uncork: () => void } | undefined;
  const uncork = (): void => {
    const tcp = corked;
    corked = undefined;
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
  };
  return Object.assign(send, { flush: uncork });
}
