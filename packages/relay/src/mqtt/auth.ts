import { toHex } from '@herald/core';
import { checkIdentityLogin, checkMailboxLogin, isMailboxLogin, PROOF_WINDOW_MS } from '@herald/protocol';
import type { MqttLoginRefusal } from './broker-metrics.js';

/** Who may use the embedded broker (the relay's mqttAnonymous, allowDeposit and allowCollect, docs/operations.md). */
export interface MqttAuthInit {
  /** Clients without an identity proof are admitted too (they cannot be on an allow-list). */
  readonly anonymous: boolean;
  /** Signing keys (hex) that may publish; undefined: anyone admitted. */
  readonly depositors: ReadonlySet<string> | undefined;
  /** Signing keys (hex) that may subscribe; undefined: anyone admitted. */
  readonly collectors: ReadonlySet<string> | undefined;
  /** Whether a signed `mqtt://host:port` names this broker. */
  urlAllowed(url: string): boolean;
  /** Told of each refused login, by reason (the broker's metrics); default: nothing. */
  onRefused?: ((reason: MqttLoginRefusal) => void) | undefined;
}

type Client = object & { readonly id: string };
type Refusal = Error & { returnCode: 3 | 4 | 5 };

/** Proofs remembered (their nonces) at most: beyond, new logins are refused as "server unavailable" until old ones age out. */
const MAX_REMEMBERED_NONCES = 100_000;

const refusal = (returnCode: 3 | 4 | 5, message: string): Refusal => Object.assign(new Error(message), { returnCode });

/**
 * The embedded broker's admission: by default only clients that prove an
 * identity key in their CONNECT (transport-mqtt's identity-proof.ts), each
 * nonce once while its proof is fresh, and proofs dated before this start never
 * (a restart forgets the nonces). The allow-lists then decide who may publish
 * and who may subscribe; a client on neither is refused at CONNECT.
 */
export function mqttAuthenticator(init: MqttAuthInit) {
  const startedAt = Date.now();
  const nonces = new Map<string, number>();
  const keys = new WeakMap<Client, string>();
  /** Clients admitted by a mailbox proof: the one epoch tag (hex) each may collect. */
  const mailboxes = new WeakMap<Client, string>();
  const forgetStale = (now: number): void => {
    for (const [nonce, until] of nonces) if (until < now) nonces.delete(nonce);
  };
  const listed = (client: Client, list: ReadonlySet<string> | undefined): boolean => list === undefined || list.has(keys.get(client) ?? '');
  let refused = 0;
  type Refuse = (reason: MqttLoginRefusal, error: Refusal) => void;
  const refuser =
    (callback: (error: Refusal | null, success: boolean) => void): Refuse =>
    (reason, error) => {
      refused++;
      init.onRefused?.(reason);
      callback(error, false);
    };
  /** Each nonce once while its proof is fresh; false (refused) when seen, or when too many are remembered. */
  function fresh(nonce: string, at: number, now: number, refuse: Refuse): boolean {
    if (nonces.has(nonce)) return void refuse('replayed', refusal(4, 'identity proof replayed')), false;
    if (nonces.size >= MAX_REMEMBERED_NONCES) forgetStale(now);
    if (nonces.size >= MAX_REMEMBERED_NONCES) return void refuse('busy', refusal(3, 'too many logins of late; try again later')), false;
    nonces.set(nonce, at + PROOF_WINDOW_MS);
    return true;
  }
  /**
   * A mailbox proof (one epoch's blinded key, no identity): admitted to deposit and to collect that epoch's topic
   * only. A broker with allow-lists admits by identity and refuses it (CONNACK 5, "identity required").
   */
  function mailboxLogin(client: Client, username: string | undefined, password: Buffer | undefined, now: number, callback: (error: Refusal | null, success: boolean) => void): void {
    const refuse = refuser(callback);
    if (init.depositors || init.collectors) return refuse('identity-required', refusal(5, 'identity required: this broker admits by allow-list'));
    const verdict = checkMailboxLogin({ clientId: client.id, username, password }, init.urlAllowed, now, startedAt);
    if (!verdict.ok) return refuse(verdict.code, refusal(4, `mailbox proof refused: ${verdict.reason}`));
    if (!fresh(verdict.nonce, verdict.at, now, refuse)) return;
    mailboxes.set(client, verdict.tag);
    callback(null, true);
  }
  return {
    /** Aedes' authenticate hook. */
    authenticate(client: Client, username: string | undefined, password: Buffer | undefined, callback: (error: Refusal | null, success: boolean) => void): void {
      if (init.anonymous && username === undefined) return callback(null, true);
      const now = Date.now();
      if (isMailboxLogin(username)) return mailboxLogin(client, username, password, now, callback);
      const verdict = checkIdentityLogin({ clientId: client.id, username, password }, init.urlAllowed, now, startedAt);
      const refuse = refuser(callback);
      if (!verdict.ok) return refuse(verdict.code, refusal(username === undefined ? 5 : 4, `identity proof refused: ${verdict.reason}`));
      const key = toHex(verdict.signingPublicKey);
      if ((init.depositors || init.collectors) && !init.depositors?.has(key) && !init.collectors?.has(key)) return refuse('not-allowed', refusal(5, 'this identity may neither publish nor subscribe here (allow-lists)'));
      if (!fresh(verdict.nonce, verdict.at, now, refuse)) return;
      keys.set(client, key);
      callback(null, true);
    },
    mayPublish: (client: Client): boolean => mailboxes.has(client) || listed(client, init.depositors),
    /** A mailbox client collects its epoch's topic only; an identity per the allow-list. */
    maySubscribe: (client: Client, topic: string): boolean => {
      const tag = mailboxes.get(client);
      return tag === undefined ? listed(client, init.collectors) : topic.endsWith(`/${tag}`);
    },
    /** Drops nonces whose proofs are too old to be accepted anyway (called with the session sweep). */
    forgetStale: () => forgetStale(Date.now()),
    get refused() {
      return refused;
    },
  };
}

const WILDCARDS = new Set(['0.0.0.0', '::']);
const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * Which signed broker URLs name this broker: `mqtt://HOST:PORT` with its own port and its listening host (any of
 * 127.0.0.1, localhost and [::1] on loopback) or the host of one of the relay's publicUrls; any host when it listens
 * on a wildcard address and no publicUrls are set; and exactly (scheme, host, port) one of `mqttPublicUrls`, the
 * addresses a port forward or a TLS terminator gives it.
 */
export function mqttUrlPolicy(host: string, port: number, publicUrls: readonly string[] | undefined, mqttPublicUrls: readonly string[] = []): (url: string) => boolean {
  const bound = host.includes(':') ? `[${host}]` : host;
  const open = publicUrls === undefined && WILDCARDS.has(host);
  const hosts = new Set([...(LOOPBACK.includes(bound) ? LOOPBACK : [bound]), ...(publicUrls ?? []).map((url) => new URL(url).hostname)]);
  const forwarded = new Set(mqttPublicUrls.map(brokerAddress).filter((address) => address !== undefined));
  return (url) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    if (forwarded.has(brokerAddress(url) ?? '')) return true;
    return parsed.protocol === 'mqtt:' && Number(parsed.port || 1883) === port && (open || hosts.has(parsed.hostname));
  };
}

/** `scheme://host:port` with the scheme's default port filled in (1883, 8883), or undefined for anything else. */
function brokerAddress(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'mqtt:' && parsed.protocol !== 'mqtts:') return undefined;
  return `${parsed.protocol}//${parsed.hostname}:${parsed.port || (parsed.protocol === 'mqtt:' ? 1883 : 8883)}`;
}
