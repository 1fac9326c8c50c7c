/** Cards as QR codes: drawn with `qrcode` (SVG), read from a photo with `jsqr` (the libraries @herald/courier uses). */
import jsQRModule from 'jsqr';
import QRCode from 'qrcode';

// jsqr is CommonJS with the function also as its `default` (as in @herald/courier's qr-scan.ts): true under a bundler too.
const jsQR = jsQRModule.default;

/** An SVG of `text` as a QR code (error correction M: a card fits with room for a smudge). */
export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/** The text of the QR code in an image file (a photo or a screenshot); throws when none is found. */
export async function readQr(file: Blob): Promise<string> {
  const bitmap = await createImageBitmap(file);
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('this browser cannot read images');
  context.drawImage(bitmap, 0, 0);
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
  const found = jsQR(pixels.data, pixels.width, pixels.height);
  if (!found) throw new Error('no QR code found in the image');
  return found.data;
}
