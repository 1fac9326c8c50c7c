import { OptionsError } from '@herald/core';

export const DEFAULT_TOPIC_PREFIX = 'herald/v1/';

/** A routing tag as the node hands it over: lowercase hex, 1 to 64 bytes (today's tags are 16). */
const TAG = /^(?:[0-9a-f]{2}){1,64}$/;

export function isRoutingTag(value: unknown): value is string {
  return typeof value === 'string' && TAG.test(value);
}

/**
 * Topics are `<prefix><routing tag hex>`: the opaque tag is all that links a
 * topic to a recipient. No names, fingerprints or client ids go into topics,
 * so a broker (or anyone allowed to list its topics) learns the tag and nothing
 * more. The prefix only keeps Herald's topics apart from other users of a
 * shared broker and lets its ACLs grant `herald/v1/#`.
 */
export function checkTopicPrefix(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 128) throw new OptionsError(`mqttTransport: topicPrefix: expected 1 to 128 characters ending in "/", got ${JSON.stringify(value)}`);
  if (!value.endsWith('/')) throw new OptionsError(`mqttTransport: topicPrefix: must end with "/" (e.g. "herald/v1/"), got ${JSON.stringify(value)}`);
  if (/[+#\0]/.test(value)) throw new OptionsError(`mqttTransport: topicPrefix: must not contain the wildcards "+" or "#" or NUL, got ${JSON.stringify(value)}`);
  if (value.startsWith('$')) throw new OptionsError(`mqttTransport: topicPrefix: topics starting with "$" are reserved by brokers, got ${JSON.stringify(value)}`);
  return value;
}

export function topicFor(prefix: string, routingTag: string): string {
  return `${prefix}${routingTag}`;
}

/** The routing tag a topic carries, or undefined when the topic is not one of this prefix's. */
export function tagOfTopic(prefix: string, topic: string): string | undefined {
  if (!topic.startsWith(prefix)) return undefined;
  const tag = topic.slice(prefix.length);
  return isRoutingTag(tag) ? tag : undefined;
}
