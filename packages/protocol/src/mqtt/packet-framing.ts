/**
 * MQTT's fixed-header framing, followed as bytes stream past without buffering
 * bodies, so that a peer declaring a huge packet is refused at its header.
 * The relay's embedded broker guards each client connection with it (Aedes'
 * parser would buffer up to 256 MiB per packet), and the transport guards its
 * broker connection with it (MQTT.js's parser buffers whatever a broker sends;
 * MQTT 3.1.1 has no Maximum Packet Size to ask for).
 */
export interface PacketFraming {
  /** Undefined while the stream is fine; otherwise why the connection must end. */
  push(chunk: Buffer): string | undefined;
}

export function packetFraming(maxPacketBytes: number): PacketFraming {
  /** Body bytes of the current packet not yet seen. */
  let remaining = 0;
  /** Where we are in a fixed header: 0 = expecting the type byte, n ≥ 1 = n length bytes read so far. */
  let headerAt = 0;
  let length = 0;
  return {
    push(chunk) {
      let at = 0;
      while (at < chunk.length) {
        if (remaining > 0) {
          const skipped = Math.min(remaining, chunk.length - at);
          remaining -= skipped;
          at += skipped;
          continue;
        }
        const byte = chunk[at++]!;
        if (headerAt === 0) {
          headerAt = 1;
          length = 0;
          continue;
        }
        length += (byte & 0x7f) * 128 ** (headerAt - 1);
        if (byte & 0x80) {
          // MQTT allows at most 4 length bytes.
          if (headerAt === 4) return 'malformed packet length';
          headerAt++;
          continue;
        }
        headerAt = 0;
        if (length > maxPacketBytes) return `packet of ${length} bytes exceeds ${maxPacketBytes}`;
        remaining = length;
      }
      return undefined;
    },
  };
}

