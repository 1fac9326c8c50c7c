import { describe, expect, it } from 'vitest';
import { generateIdentity, seal } from '@herald/core';
import { CourierError, qrTexts, readQrTexts, renderQr, scanQrImage } from '../src/index.js';

const alice = generateIdentity({ label: 'Alice' });
const bob = generateIdentity({ label: 'Bob' });
/** What a phone does: find the code in the picture and decode its text. */
const scan = scanQrImage;

describe('QR codes', () => {
  it('a padded envelope fits one code; the rendered PNG decodes back to the same envelope', async () => {
    const envelope = seal('Evacuate sector 4 by 18:00.', { from: alice, to: bob.card });
    const texts = qrTexts(envelope);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatch(/^HQ1:1\/1:[0-9A-Z]{8}:[0-9A-Z]+$/);
    const scanned = scan((await renderQr(texts[0] ?? '', 'png')) as Uint8Array);
    expect(Buffer.from(readQrTexts(scanned)).equals(Buffer.from(envelope))).toBe(true);
  });

  it('a larger envelope becomes numbered codes, scanned in any order', async () => {
    const envelope = seal(new Uint8Array(1500).fill(7), { from: alice, to: bob.card });
    const texts = qrTexts(envelope, { maxChars: 600 });
    expect(texts.length).toBeGreaterThan(2);
    const scanned: string[] = [];
    for (const text of [...texts].reverse()) scanned.push(scan((await renderQr(text, 'png')) as Uint8Array));
    expect(Buffer.from(readQrTexts(scanned.join('\n'))).equals(Buffer.from(envelope))).toBe(true);
    const error = (() => {
      try {
        readQrTexts(scanned.slice(1));
      } catch (caught) {
        return caught as CourierError;
      }
      return undefined;
    })();
    expect(error?.code).toBe('BAD_QR');
    expect(error?.message).toContain(`missing part ${texts.length} of ${texts.length}`);
  });

  it('renders SVG and terminal text, and refuses foreign or damaged texts', async () => {
    const envelope = seal('x', { from: alice, to: bob.card });
    const [text] = qrTexts(envelope);
    expect(await renderQr(text ?? '', 'svg')).toContain('<svg');
    expect(String(await renderQr(text ?? '', 'terminal')).length).toBeGreaterThan(100);
    expect(() => readQrTexts('hello world')).toThrow(CourierError);
    const damaged = (text ?? '').slice(0, -3) + ((text ?? '').endsWith('AAA') ? 'BBB' : 'AAA');
    expect(() => readQrTexts(damaged)).toThrow(/do not match their check|not valid base32/);
  });
});
