import type WebSocket from 'ws';

/**
 * Raises the largest frame `socket` reads, once the connection authenticated: until then the relay's
 * WebSocketServer cuts any frame above PRE_AUTH_MAX_FRAME_BYTES, so an unauthenticated connection holds a few KiB
 * at most, frame half sent included. ws sets the limit per server only, so this sets its receiver's (ws 8) field;
 * the relay's tests fail if a ws upgrade renames it (an authenticated deposit of a large envelope would be cut).
 */
export function raiseFrameLimit(socket: WebSocket, maxPayload: number): void {
  const receiver = (socket as unknown as { _receiver?: { _maxPayload?: unknown } })._receiver;
  if (typeof receiver?._maxPayload !== 'number') throw new Error('ws receiver has no _maxPayload: the frame limit cannot be raised after authentication');
  receiver._maxPayload = maxPayload;
}
