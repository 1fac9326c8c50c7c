import { FRAME, ROUTING_TAG_BYTES } from './frame-layout.js';
import { FrameError, view, withId } from './frame-primitives.js';
/** The encoders of the prekey directory's frames: PREKEYS_PUT and PREKEYS_GET (client), PREKEYS and PREKEYS_HELD (relay). */

/** PREKEYS: `request id u32` ‖ bundle (the rest; empty when the relay holds none). */
export const encodePrekeys = (requestId: number, bundle: Uint8Array): Uint8Array => withId(FRAME.PREKEYS, requestId, bundle);

/** PREKEYS_HELD: `request id u32` ‖ `one-time prekeys held u16`; 7 bytes. */
export function encodePrekeysHeld(requestId: number, oneTime: number): Uint8Array {
  const out = withId(FRAME.PREKEYS_HELD, requestId, new Uint8Array(2));
  view(out).setUint16(5, Math.min(oneTime, 0xffff));
  return out;
}

function withTag(type: number, requestId: number, routingTag: Uint8Array, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (routingTag.length !== ROUTING_TAG_BYTES) throw new FrameError(`a routing tag is ${ROUTING_TAG_BYTES} bytes, not ${routingTag.length}`);
  const out = new Uint8Array(5 + ROUTING_TAG_BYTES + body.length);
  out[0] = type;
  view(out).setUint32(1, requestId >>> 0);
  out.set(routingTag, 5);
  out.set(body, 5 + ROUTING_TAG_BYTES);
  return out;
}

/** PREKEYS_PUT: `request id u32` ‖ `routing tag [16]` ‖ bundle (the rest, at least 1 byte). */
export function encodePrekeysPut(requestId: number, routingTag: Uint8Array, bundle: Uint8Array): Uint8Array {
  if (bundle.length === 0) throw new FrameError('PREKEYS_PUT carries a bundle');
  return withTag(FRAME.PREKEYS_PUT, requestId, routingTag, bundle);
}

/** PREKEYS_GET: `request id u32` ‖ `routing tag [16]`; 21 bytes. */
export const encodePrekeysGet = (requestId: number, routingTag: Uint8Array): Uint8Array => withTag(FRAME.PREKEYS_GET, requestId, routingTag);
