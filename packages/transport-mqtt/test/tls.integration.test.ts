import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransportError } from '@herald/core';
import type { MqttTlsOptions } from '@herald/transport-mqtt';
import { startMosquitto, type MosquittoProcess } from '@herald/transport-mqtt/testing';
import { envelope, events, party, routeOf, started, transport, until } from './helpers.js';
import { exchangeBothWays, PROXY_ONLY_HOST, startMicrosocks, type ProxyProcess } from '@herald/transport-compliance';

/**
 * mqtts:// against a Mosquitto process with a TLS listener that also asks for
 * a client certificate: a throwaway CA (openssl) signs the broker's
 * certificate (127.0.0.1, localhost) and the client's. The transport's `tls`
 * options (ca, cert, key, servername) must reach the TLS handshake; a
 * certificate that does not verify is a refusal reported once, never a crash.
 */
const run = promisify(execFile);
let dir: string;
let broker: MosquittoProcess;
let url: string;
let trusted: MqttTlsOptions;

async function openssl(...args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir, timeout: 20_000 });
}

async function signed(name: string, subject: string, san: string): Promise<void> {
  await openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
  await writeFile(join(dir, `${name}.ext`), `subjectAltName=${san}\n`);
  await openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'herald-mqtt-tls-'));
  await openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=herald test CA');
  await signed('server', '/CN=localhost', 'IP:127.0.0.1,DNS:localhost');
  await signed('client', '/CN=herald-client', 'DNS:herald-client');
  // Certificate settings after the only `listener` line apply to it.
  broker = await startMosquitto({ extraConfig: [`cafile ${join(dir, 'ca.crt')}`, `certfile ${join(dir, 'server.crt')}`, `keyfile ${join(dir, 'server.key')}`, 'require_certificate true'] });
  url = `mqtts://127.0.0.1:${broker.port}`;
  const file = (name: string): Promise<string> => readFile(join(dir, name), 'utf8');
  trusted = { ca: await file('ca.crt'), cert: await file('client.crt'), key: await file('client.key') };
});
afterAll(async () => {
  await broker?.close();
  await rm(dir, { recursive: true, force: true });
});

async function refusedWith(tls: MqttTlsOptions, pattern: RegExp, through: { url: string; proxy: string } | undefined = undefined): Promise<void> {
  const alice = party('alice');
  const subject = transport({ url, identity: alice, tls, ...through });
  const seen = events(subject);
  await subject.start({ routingTags: [], deliver: async () => undefined });
  await until('a refusal', () => seen.some((event) => event.type === 'error'));
  expect(subject.health().state).toBe('down');
  expect(subject.health().reason).toMatch(pattern);
  const refusal = seen.find((event) => event.type === 'error');
  expect(refusal?.type === 'error' && refusal.error).toBeInstanceOf(TransportError);
  expect(refusal?.type === 'error' && (refusal.error as TransportError).code).toBe('CHANNEL_REJECTED');
  const bytes = envelope(alice, party('bob'));
  await expect(subject.send(bytes, routeOf(bytes))).rejects.toMatchObject({ code: 'CHANNEL_UNAVAILABLE', retryable: true });
}

describe('mqtts:// through Mosquitto with TLS and client certificates', () => {
  it('connects with the given CA and client certificate, and carries envelopes both ways', async () => {
    const [alice, bob] = [party('alice'), party('bob')];
    const a = transport({ url, identity: alice, tls: trusted });
    const b = transport({ url, identity: bob, tls: trusted });
    expect(a.name).toBe(url);
    const [atAlice, atBob] = [await started(a, alice), await started(b, bob)];
    const toBob = envelope(alice, bob);
    const toAlice = envelope(bob, alice);
    await exchangeBothWays({ a, atAlice, b, atBob, toBob, toAlice });
  });

  it('refuses a broker certificate it cannot verify (no CA given: node’s own roots)', async () => {
    await refusedWith({ cert: trusted.cert!, key: trusted.key! }, /^TLS: /);
  });

  it('refuses a broker certificate for another name (servername)', async () => {
    await refusedWith({ ...trusted, servername: 'broker.example' }, /^TLS: ERR_TLS_CERT_ALTNAME_INVALID/);
  });

  it('is refused by a broker that requires a client certificate when it shows none', async () => {
    const alice = party('alice');
    const subject = transport({ url, identity: alice, tls: { ca: trusted.ca! } });
    await subject.start({ routingTags: [], deliver: async () => undefined });
    expect(subject.health().state).toBe('down');
    const bytes = envelope(alice, party('bob'));
    await expect(subject.send(bytes, routeOf(bytes))).rejects.toMatchObject({ code: 'CHANNEL_UNAVAILABLE', retryable: true });
  });
});

describe('mqtts:// through a SOCKS5 proxy (microsocks), TLS end to end', () => {
  let proxy: ProxyProcess;
  let proxied: string;
  beforeAll(async () => {
    proxy = await startMicrosocks();
    // A name only the proxy resolves; the broker's certificate is for localhost, so that is the name checked.
    proxied = `mqtts://${PROXY_ONLY_HOST}:${broker.port}`;
  });
  afterAll(async () => {
    await proxy?.close();
  });

  it('carries envelopes both ways with the broker certificate and the client certificate checked through the tunnel', async () => {
    const [alice, bob] = [party('alice'), party('bob')];
    const tls = { ...trusted, servername: 'localhost' };
    const a = transport({ url: proxied, identity: alice, tls, proxy: proxy.url });
    const b = transport({ url: proxied, identity: bob, tls, proxy: proxy.url });
    const [atAlice, atBob] = [await started(a, alice), await started(b, bob)];
    await exchangeBothWays({ a, atAlice, b, atBob, toBob: envelope(alice, bob), toAlice: envelope(bob, alice) });
  });

  it('checks the certificate against the URL\'s host when no servername is given, and refuses one for another name', async () => {
    await refusedWith(trusted, /^TLS: ERR_TLS_CERT_ALTNAME_INVALID/, { url: proxied, proxy: proxy.url });
    await refusedWith({ ...trusted, servername: 'broker.example' }, /^TLS: ERR_TLS_CERT_ALTNAME_INVALID/, { url: proxied, proxy: proxy.url });
  });
});
