import type { Identity, ProxyOption, Transport } from '@herald/core';
import { mqttTransport, parseBrokerUrl } from '@herald/transport-mqtt';
import { UsageError } from './errors.js';

export const MQTT_USERNAME_ENV = 'HERALD_MQTT_USERNAME';
export const MQTT_PASSWORD_ENV = 'HERALD_MQTT_PASSWORD';

/**
 * `--via mqtt://[user:password@]host[:port]` (or mqtts://). The client id is
 * derived from the node's identity, so the broker keeps one persistent session
 * per identity across runs; with a version-2 card (--epoch), one per epoch tag
 * (sessionPerTag). Credentials come from the URL or, better (the URL
 * is visible in the process list), from HERALD_MQTT_USERNAME and
 * HERALD_MQTT_PASSWORD. Messages name the broker as `mqtt://host:port` only:
 * a password in the URL is never repeated.
 */
/** A channel URL as it may be shown: any `user:password@` taken out (mqtt://u:p@host → mqtt://host). */
export function withoutCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/?#]*@/i, '$1');
}

export function mqttChannel(url: string, identity: Identity | undefined, env: NodeJS.ProcessEnv = process.env, proxy?: ProxyOption): Transport {
  const broker = parseBrokerUrl(url, '--via');
  if (!identity) throw new UsageError(`--via ${broker.name}: an MQTT channel needs the node's identity (--key), from which its persistent client id is derived`);
  const inUrl = broker.username !== undefined || broker.password !== undefined;
  const username = env[MQTT_USERNAME_ENV];
  const password = env[MQTT_PASSWORD_ENV];
  const fromEnv = !inUrl && username !== undefined && username !== '' ? { username, ...(password === undefined ? {} : { password }) } : {};
  // A version-2 card asked for unlinkable mailboxes: each epoch tag gets a client and session of its own (threat model 14.4).
  const perTag = identity.card.epochSeconds !== undefined;
  return mqttTransport({ url, identity, ...fromEnv, ...(perTag ? { sessionPerTag: true } : {}), ...(proxy === undefined ? {} : { proxy }) });
}
