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

/** A QoS 1 publish that resolves on the broker's PUBACK. */
export function publishQos1(publisher: MqttClient, topic: string, payload: Buffer): Promise<void> {
  return new Promise<void>((resolve, reject) => publisher.publish(topic, payload, { qos: 1 }, (error) => (error ? reject(error) : resolve())));
}

const subscribe = (subscriber: MqttClient, topic: string): Promise<void> =>
  new Promise<void>((resolve, reject) => subscriber.subscribe(topic, { qos: 1 }, (error) => (error ? reject(error) : resolve())));

/**
 * A publisher (clean session) and a QoS 1 subscriber to `topic` on a persistent session, named `bench-<name>-…`.
 * With `replyTopic` the publisher subscribes to it too (QoS 1), as a sender's node collects its end-to-end acks.
 */
export async function clientPair(url: string, name: string, topic: string, replyTopic?: string): Promise<{ publisher: MqttClient; subscriber: MqttClient; close(): Promise<void> }> {
  const publisher = await client(url, `bench-${name}-publisher`, true);
  const subscriber = await client(url, `bench-${name}-subscriber`, false);
  await subscribe(subscriber, topic);
  if (replyTopic !== undefined) await subscribe(publisher, replyTopic);
  return {
    publisher,
    subscriber,
    async close() {
      await publisher.endAsync();
      await subscriber.endAsync();
    },
  };
}
