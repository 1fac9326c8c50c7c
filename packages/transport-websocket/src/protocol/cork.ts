import type WebSocket from 'ws';

/**
 * Sends frames so that all those sent in one pass of the event loop leave in one
 * writev: the TCP socket under the WebSocket is corked at the first frame and
 * uncorked by setImmediate, which runs right after the loop's I/O phase, so every
 * frame produced while handling that phase's incoming data (a burst of pushes and
 * their ACKs, the ACCEPTEDs of one group commit) shares one syscall. Per-envelope syscalls otherwise dominate
 * the cost of small frames (deposits, ACCEPTEDs, pushes, ACKs). ws keeps the
 * socket as `_socket`; if a ws version hides it, frames are simply sent one by one.
 */
export function corkingSender(socket: WebSocket): (frame: Uint8Array, callback?: (error?: Error) => void) => void {
  let corked = false;
  return (frame, callback) => {
    // Looked up at each send, not once: a client's socket has no TCP stream until it is connected.
    const tcp = (socket as unknown as { _socket?: { cork?: () => void; uncork?: () => void } })._socket;
    if (!corked && typeof tcp?.cork === 'function' && typeof tcp.uncork === 'function') {
      corked = true;
      tcp.cork();
      setImmediate(() => {
        corked = false;
        tcp.uncork!();
      });
    }
    if (callback) socket.send(frame, callback);
    else socket.send(frame);
  };
}
