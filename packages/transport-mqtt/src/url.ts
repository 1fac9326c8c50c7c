import { OptionsError } from '@herald/core';

export const DEFAULT_MQTT_PORT = 1883;
export const DEFAULT_MQTTS_PORT = 8883;

/** A broker URL taken apart: where to connect, and the credentials it carried (never part of the channel name). */
export interface BrokerUrl {
  readonly protocol: 'mqtt' | 'mqtts';
  readonly host: string;
  readonly port: number;
  /** `mqtt://host:port` or `mqtts://host:port`: no user, password, path or query, so it is safe in logs and receipts. */
  readonly name: string;
  readonly username: string | undefined;
  readonly password: string | undefined;
}

/**
 * Parses `mqtt://[user[:password]@]host[:port]` or `mqtts://…`. Credentials are
 * percent-decoded and returned apart, so the name never carries them. A path,
 * query or fragment is refused: MQTT has no use for them, and silently ignoring
 * `mqtt://broker/herald` would suggest a topic prefix that is not applied.
 */
export function parseBrokerUrl(value: unknown, where = 'mqttTransport: url'): BrokerUrl {
  if (typeof value !== 'string' || value === '') throw new OptionsError(`${where}: expected an mqtt:// or mqtts:// URL, got ${JSON.stringify(value)}`);
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    // The input may hold a password: say what is wrong without echoing it.
    throw new OptionsError(`${where}: not a URL (expected mqtt://host[:port] or mqtts://host[:port])`);
  }
  const protocol = parsed.protocol === 'mqtt:' ? 'mqtt' : parsed.protocol === 'mqtts:' ? 'mqtts' : undefined;
  if (!protocol) throw new OptionsError(`${where}: expected mqtt:// or mqtts://, got ${parsed.protocol}`);
  if (parsed.hostname === '') throw new OptionsError(`${where}: a broker host is required, e.g. mqtt://127.0.0.1:1883`);
  if (parsed.pathname !== '' && parsed.pathname !== '/') throw new OptionsError(`${where}: must not carry a path (${parsed.pathname}); set topicPrefix instead`);
  if (parsed.search !== '') throw new OptionsError(`${where}: must not carry a ?query`);
  if (parsed.hash !== '') throw new OptionsError(`${where}: must not carry a #fragment`);
  const port = parsed.port === '' ? (protocol === 'mqtt' ? DEFAULT_MQTT_PORT : DEFAULT_MQTTS_PORT) : Number(parsed.port);
  const host = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname;
  const decode = (part: string, what: string): string | undefined => {
    if (part === '') return undefined;
    try {
      return decodeURIComponent(part);
    } catch {
      throw new OptionsError(`${where}: the ${what} in the URL is not valid percent-encoding`);
    }
  };
  return {
    protocol,
    host,
    port,
    name: `${protocol}://${parsed.hostname}:${port}`,
    username: decode(parsed.username, 'user name'),
    password: decode(parsed.password, 'password'),
  };
}
