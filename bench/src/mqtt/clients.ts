import { connect, type MqttClient } from 'mqtt';

/** A connected MQTT.js client; a persistent session (clean false) takes up to 1024 unacknowledged messages. */
export function client(url: string, clientId: string, clean: boolean): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const made = connect(url, { clientId, clean, protocolVersion: 5, reconnectPeriod: 0, ...(clean ? {} : { properties: { sessionExpiryInterval: 3600, receiveMaximum: 1024 } }) });
    // TCP_NODELAY as Herald's transport sets it: the comparison is about the protocol work, not Nagle's algorithm.
    (made.stream as { setNoDelay?: (noDelay: boolean) => unknown } | undefined)?.setNoDelay?.(true);
    made.once('connect', () => resolve(made));
    made.once('error', reject);
  });
}
