import type { connect, MqttClient } from 'mqtt';
import type { writeToStream } from 'mqtt-packet';

export interface MqttLibrary {
  readonly connect: typeof connect;
  /** For a connection over a stream of our own (a proxy tunnel). */
  readonly MqttClient: typeof MqttClient;
  readonly writeToStream: typeof writeToStream;
}

let loading: Promise<MqttLibrary> | undefined;

/**
 * MQTT.js and mqtt-packet, imported on the first connection rather than with
 * this package: MQTT.js's module graph is large, and every `herald` command
 * imports the channel table, most of them without ever dialling a broker.
 */
export function mqttLibrary(): Promise<MqttLibrary> {
  return (loading ??= Promise.all([import('mqtt'), import('mqtt-packet')]).then(([mqtt, packet]) => ({ connect: mqtt.connect, MqttClient: mqtt.MqttClient, writeToStream: packet.writeToStream })));
}
