import type { MqttClient } from 'mqtt';
import type { MqttLibrary } from './mqtt-library.js';

/**
 * Writes a PUBACK for an inbound QoS 1 message ourselves.
 *
 * MQTT.js acknowledges a QoS 1 message when its `handleMessage(packet, done)`
 * hook calls `done()`, and sends no PUBACK when `done(error)` is called
 * (handlers/publish.js). But it processes inbound packets one at a time, and
 * the next packet (other messages, our own PUBACKs, PINGRESP) waits until
 * `done` is called: awaiting the node's fsynced `deliver` there would stall
 * the whole connection behind every delivery. So the transport calls
 * `done(deferred)` at once, which leaves the message unacknowledged, and
 * writes the PUBACK here once `deliver` resolved. MQTT.js's own `_sendPacket`
 * is private and would queue the PUBACK for a later connection when this one
 * is gone; a PUBACK belongs to the connection that received the message, and
 * after a reconnect the broker redelivers anything unacknowledged anyway.
 */
export function manualPuback(writeToStream: MqttLibrary['writeToStream'], client: MqttClient, version: 4 | 5, messageId: number): boolean {
  const stream = client.stream as unknown as NodeJS.WritableStream & { destroyed?: boolean; writable?: boolean };
  if (!client.connected || stream.destroyed || stream.writable === false) return false;
  writeToStream(version === 5 ? { cmd: 'puback', messageId, reasonCode: 0 } : { cmd: 'puback', messageId }, stream as never, { protocolVersion: version });
  return true;
}
