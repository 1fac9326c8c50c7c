import { describe, expect, it } from 'vitest';
import { packetFraming } from '@herald/protocol';

/** MQTT's Remaining Length: 7 bits a byte, low first, the top bit saying "more". */
function remainingLength(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    bytes.push(byte);
  } while (value > 0);
  return bytes;
}

const packet = (type: number, body: number): Buffer => Buffer.concat([Buffer.from([type, ...remainingLength(body)]), Buffer.alloc(body, 0xab)]);

describe('MQTT packet framing guard (the embedded broker’s connections, the transport’s broker connection)', () => {
  it('follows packets of every length-field size, whole or cut anywhere, and lets those within the limit pass', () => {
    const stream = Buffer.concat([packet(0x10, 40), packet(0x32, 0), packet(0x32, 127), packet(0x32, 128), packet(0x32, 16_383), packet(0x32, 16_384), packet(0xc0, 0), packet(0x32, 70_000)]);
    for (const size of [stream.length, 1, 2, 3, 7, 100, 4096]) {
      const framing = packetFraming(70_000);
      const refusals: string[] = [];
      for (let at = 0; at < stream.length; at += size) refusals.push(framing.push(stream.subarray(at, at + size)) ?? '');
      expect(refusals.filter((refusal) => refusal !== ''), `cut every ${size} bytes`).toEqual([]);
    }
  });

  it('refuses a packet declaring more than the limit as soon as its header is in, before any of its body', () => {
    const framing = packetFraming(1000);
    expect(framing.push(packet(0x32, 1000))).toBeUndefined();
    // Only the header of the next packet: 256 MiB - 1 declared, nothing of it sent.
    expect(framing.push(Buffer.from([0x32, 0xff, 0xff]))).toBeUndefined();
    expect(framing.push(Buffer.from([0xff, 0x7f]))).toBe('packet of 268435455 bytes exceeds 1000');
  });

  it('refuses a length field longer than MQTT’s four bytes', () => {
    expect(packetFraming(1 << 30).push(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80, 0x01]))).toBe('malformed packet length');
  });

  it('finds an oversized packet after others in the same chunk', () => {
    expect(packetFraming(500).push(Buffer.concat([packet(0x32, 10), packet(0x32, 500), Buffer.from([0x32, ...remainingLength(501)])]))).toBe('packet of 501 bytes exceeds 500');
  });
});
