import { describe, expect, it } from 'vitest';
import { generateIdentity, OptionsError, toHex, TransportError } from '@herald/core';
import { checkIdentityLogin, derivedClientId, fromReasonCode, identityLogin, mqttTransport, parseBrokerUrl, PROOF_WINDOW_MS, provenClientId } from '@herald/transport-mqtt';
import { envelope, routeOf } from './helpers.js';

const alice = generateIdentity({ label: 'alice' });
const bob = generateIdentity({ label: 'bob' });

function refusal(make: () => unknown): string {
  try {
    make();
  } catch (error) {
    expect(error).toBeInstanceOf(OptionsError);
    return (error as Error).message;
  }
  throw new Error('expected an OptionsError');
}

describe('broker URLs', () => {
  it('takes credentials out of the name and fills in the default ports', () => {
    expect(parseBrokerUrl('mqtt://broker.example')).toMatchObject({ protocol: 'mqtt', host: 'broker.example', port: 1883, name: 'mqtt://broker.example:1883', username: undefined });
    expect(parseBrokerUrl('mqtts://u%40x:p%3Ass@broker.example/')).toMatchObject({ protocol: 'mqtts', port: 8883, name: 'mqtts://broker.example:8883', username: 'u@x', password: 'p:ss' });
    expect(parseBrokerUrl('mqtt://[::1]:1999')).toMatchObject({ host: '::1', port: 1999, name: 'mqtt://[::1]:1999' });
  });

  it('refuses other schemes, paths, queries and fragments, without echoing a password', () => {
    expect(refusal(() => parseBrokerUrl('ws://broker'))).toMatch(/expected mqtt:\/\/ or mqtts:\/\//);
    expect(refusal(() => parseBrokerUrl('mqtt://broker/herald'))).toMatch(/must not carry a path .*topicPrefix/);
    expect(refusal(() => parseBrokerUrl('mqtt://broker?x=1'))).toMatch(/query/);
    expect(refusal(() => parseBrokerUrl('mqtt://broker#x'))).toMatch(/fragment/);
    expect(refusal(() => parseBrokerUrl('mqtt://user:hunter2@:bad'))).not.toContain('hunter2');
  });
});

describe('mqttTransport init', () => {
  const url = 'mqtt://127.0.0.1:1';

  it('needs exactly one of identity and clientId', () => {
    expect(refusal(() => mqttTransport({ url }))).toMatch(/identity .* or clientId is required/);
    expect(refusal(() => mqttTransport({ url, identity: alice, clientId: 'x' }))).toMatch(/not both/);
    expect(refusal(() => mqttTransport({ url, clientId: 'has space' }))).toMatch(/clientId: expected 1 to 64 letters/);
    expect(refusal(() => mqttTransport({ url, identity: {} as never }))).toMatch(/identity: expected an Identity/);
  });

  it('validates every field with a message naming it', () => {
    expect(refusal(() => mqttTransport({ url, identity: alice, keepaliveSeconds: 0 }))).toBe('mqttTransport: keepaliveSeconds: expected whole seconds from 1 to 3600, got 0');
    expect(refusal(() => mqttTransport({ url, identity: alice, maxEnvelopeBytes: 10 }))).toMatch(/maxEnvelopeBytes: expected whole bytes from 1024/);
    expect(refusal(() => mqttTransport({ url, identity: alice, sessionExpirySeconds: 1 }))).toMatch(/sessionExpirySeconds/);
    expect(refusal(() => mqttTransport({ url, identity: alice, maxReconnectDelayMs: 10, minReconnectDelayMs: 100 }))).toMatch(/maxReconnectDelayMs: expected whole milliseconds from 100/);
    expect(refusal(() => mqttTransport({ url, identity: alice, protocolVersion: 3 as never }))).toMatch(/protocolVersion: expected 5, 4 or 'auto'/);
    expect(refusal(() => mqttTransport({ url, identity: alice, topicPrefix: 'herald/#/' }))).toMatch(/wildcards/);
    expect(refusal(() => mqttTransport({ url, identity: alice, topicPrefix: 'herald' }))).toMatch(/must end with "\/"/);
    expect(refusal(() => mqttTransport({ url, identity: alice, topicPrefix: '$SYS/' }))).toMatch(/reserved/);
    expect(refusal(() => mqttTransport({ url: 'mqtt://u:p@h', identity: alice, username: 'u' }))).toMatch(/in the URL or as username\/password, not both/);
    expect(refusal(() => mqttTransport({ url, identity: alice, password: 'p' }))).toMatch(/needs a username/);
    expect(refusal(() => mqttTransport({ url, identity: alice, tls: { ca: 'x' } }))).toMatch(/only for mqtts:/);
    expect(refusal(() => mqttTransport({ url, identity: alice, colour: 'red' } as never))).toMatch(/^mqttTransport: unknown option "colour" \(known: url, identity, clientId, /);
    // Checked from MqttTransportInitSchema: nested keys and types; a password's value is never echoed.
    expect(refusal(() => mqttTransport({ url: 'mqtts://h', identity: alice, tls: { rejectUnauthorised: false } } as never))).toMatch(/^mqttTransport: tls: unknown option "rejectUnauthorised"/);
    expect(refusal(() => mqttTransport({ url, identity: alice, username: 'u', password: 987_654 } as never))).toBe('mqttTransport: password: expected a string, got number');
    expect(refusal(() => mqttTransport({ url, clientId: 'x', identityProof: true }))).toMatch(/identityProof: needs identity/);
    expect(refusal(() => mqttTransport({ url, clientId: 'x', sessionPerTag: true }))).toMatch(/sessionPerTag: needs identity/);
    expect(refusal(() => mqttTransport({ url, identity: alice, identityProof: true, username: 'u' }))).toMatch(/identityProof: cannot be combined with a username/);
    expect(refusal(() => mqttTransport({ url, identity: alice, identityProof: 'yes' as never }))).toMatch(/identityProof: expected true, false or 'auto'/);
  });

  it('names the channel after the URL without credentials, and declares its capabilities', () => {
    const channel = mqttTransport({ url: 'mqtt://user:pw@broker.example:1884', identity: alice });
    expect(channel.name).toBe('mqtt://broker.example:1884');
    expect(channel.capabilities).toEqual({ maxEnvelopeBytes: 256 * 1024, requiresPeerOnline: false, storeAndForward: true, delivery: 'push' });
    expect(channel.health()).toMatchObject({ state: 'down', reason: 'not started' });
  });

  it('refuses to send before start (CHANNEL_STOPPED) and oversize envelopes without touching the network', async () => {
    const channel = mqttTransport({ url, identity: alice, maxEnvelopeBytes: 1024 });
    const bytes = envelope(alice, bob);
    await expect(channel.send(bytes, routeOf(bytes))).rejects.toMatchObject({ code: 'CHANNEL_STOPPED' });
    await channel.start({ routingTags: [], deliver: async () => undefined });
    const big = new Uint8Array(2048);
    await expect(channel.send(big, routeOf(bytes))).rejects.toMatchObject({ code: 'CHANNEL_TOO_SMALL', retryable: false });
    await channel.stop();
  });
});

describe('the derived client id', () => {
  it('is stable per identity, differs between identities, and reveals neither tag, keys nor fingerprint', () => {
    const id = derivedClientId(alice);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(derivedClientId(alice)).toBe(id);
    expect(derivedClientId(bob)).not.toBe(id);
    for (const visible of [toHex(alice.card.routingTag), toHex(alice.card.agreementPublicKey), toHex(alice.card.signingPublicKey), alice.card.fingerprint.toLowerCase()]) {
      expect(visible.includes(id) || id.includes(visible.slice(0, 16))).toBe(false);
    }
  });
});

describe('the identity proof', () => {
  const url = 'mqtt://127.0.0.1:1883';
  const allowed = (signed: string) => signed === url;
  const check = (login: { clientId: string; username: string; password: string }, now = Date.now(), notBefore = 0) =>
    checkIdentityLogin({ clientId: login.clientId, username: login.username, password: Buffer.from(login.password) }, allowed, now, notBefore);

  it('verifies for the signed URL, within the window, with the client id bound to the key', () => {
    const login = identityLogin(alice, url);
    expect(login.clientId).toBe(provenClientId(alice.card.signingPublicKey));
    expect(check(login)).toMatchObject({ ok: true });
    expect(check(identityLogin(alice, 'mqtt://elsewhere:1883'))).toEqual({ ok: false, code: 'url', reason: 'the signed URL does not name this broker' });
    expect(check(login, Date.now() + PROOF_WINDOW_MS + 1000)).toMatchObject({ ok: false, code: 'clock', reason: expect.stringMatching(/too far/) as unknown });
    expect(check(login, Date.now(), Date.now() + 1000)).toMatchObject({ ok: false, code: 'clock', reason: expect.stringMatching(/before the broker started/) as unknown });
    expect(check({ ...login, clientId: provenClientId(bob.card.signingPublicKey) })).toMatchObject({ ok: false, code: 'client-id', reason: expect.stringMatching(/client id/) as unknown });
    expect(check({ ...identityLogin(bob, url), username: login.username, clientId: login.clientId })).toEqual({ ok: false, code: 'signature', reason: 'the signature does not verify' });
    expect(check({ ...login, password: 'nonsense' })).toEqual({ ok: false, code: 'malformed', reason: 'malformed identity proof' });
    expect(check({ ...login, username: 'someone' })).toMatchObject({ ok: false, code: 'no-proof' });
  });
});

describe('MQTT reason codes', () => {
  it.each([
    [149, 'CHANNEL_TOO_SMALL', false],
    [151, 'QUOTA_EXCEEDED', true],
    [137, 'QUOTA_EXCEEDED', true],
    [135, 'CHANNEL_REJECTED', false],
    [134, 'CHANNEL_REJECTED', false],
    [4, 'CHANNEL_REJECTED', false],
    [144, 'CHANNEL_REJECTED', false],
    [136, 'CHANNEL_UNAVAILABLE', true],
    [139, 'CHANNEL_UNAVAILABLE', true],
    [142, 'CHANNEL_UNAVAILABLE', true],
    [200, 'CHANNEL_UNAVAILABLE', true],
  ])('%i → %s (retryable %s)', (code, mapped, retryable) => {
    const error = fromReasonCode('mqtt://b:1883', code, 'publish');
    expect(error).toBeInstanceOf(TransportError);
    expect(error.code).toBe(mapped);
    expect(error.retryable).toBe(retryable);
    expect(error.message).toContain(`reason code ${code}`);
  });
});
