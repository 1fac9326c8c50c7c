import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { CourierError } from './errors.js';

// jsqr is CommonJS typed with the function as its `default` export; under NodeNext a default import of CommonJS is
// the whole module, so the function is that module's `default` (jsqr sets `jsQR.default = jsQR`: true at run time too).
const jsQR = jsQRModule.default;
const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** Whether the bytes are a PNG image (by its 8-byte signature). */
export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= PNG_SIGNATURE.length && PNG_SIGNATURE.every((byte, index) => bytes[index] === byte);
}

/** What a phone does with a photo or screenshot of a code: find it in the picture and return its text. */
export function scanQrImage(png: Uint8Array): string {
  let image: PNG;
  try {
    image = PNG.sync.read(Buffer.from(png.buffer, png.byteOffset, png.byteLength));
  } catch (cause) {
    throw new CourierError('BAD_QR', `not a readable PNG image: ${(cause as Error).message}`, { cause });
  }
  const code = jsQR(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.byteLength), image.width, image.height);
  if (!code) throw new CourierError('BAD_QR', 'no QR code found in the image');
  return code.data;
}
