import { OptionsError } from '@herald/core';

export type QrFormat = 'png' | 'svg' | 'terminal';

/**
 * One code's text as an image. Error correction M (15 % of the code may be
 * lost, a creased print or a glare) is the usual trade between size and
 * robustness; the quiet zone is the standard four modules.
 */
export async function renderQr(text: string, format: QrFormat, options: { scale?: number } = {}): Promise<Uint8Array | string> {
  // Loaded on first use: every herald command imports this package, few of them draw codes.
  const { default: QRCode } = await import('qrcode');
  const scale = options.scale ?? 4;
  if (!Number.isInteger(scale) || scale < 1 || scale > 32) throw new OptionsError(`qr: scale: expected 1 to 32, got ${String(scale)}`);
  switch (format) {
    case 'png':
      return new Uint8Array(await QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale }));
    case 'svg':
      return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
    case 'terminal':
      return QRCode.toString(text, { type: 'terminal', errorCorrectionLevel: 'M', small: true });
    default:
      throw new OptionsError(`qr: format: expected png, svg or terminal, got ${JSON.stringify(format)}`);
  }
}
