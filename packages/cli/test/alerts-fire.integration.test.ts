import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateIdentity, inspect, seal, toHex } from '@herald/core';
import { relayProtocol as protocol } from '@herald/transport-websocket';
import { rawClient } from '../../relay/test/helpers/raw-client.js';
import { removeTempDirs, spawnRelay, type RelayProcess } from '../../relay/test/helpers/relay-process.js';
import { aliceAndBob, run, until } from './process-kit.js';
import { rulesWithShortTimes, startPrometheus, type Alert, type PrometheusProcess } from './prometheus-process.js';

// Prometheus scrapes and evaluates every second; in the test copy the rules' `for:` becomes FOR_SECONDS and their
// 2-minute windows WINDOW_SECONDS (expressions and thresholds stay the shipped ones, so an alert resolves once its
// window has passed; promtool checks the shipped durations).
const INTERVAL_SECONDS = 1;
const FOR_SECONDS = 5;
const WINDOW_SECONDS = 30;
const FLOOD = 30;

const workdir = await mkdtemp(join(tmpdir(), 'herald-alerts-'));
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await removeTempDirs();
  await rm(workdir, { recursive: true, force: true });
});

async function waitFor(prometheus: PrometheusProcess, what: string, predicate: (alerts: Alert[]) => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (predicate(await prometheus.alerts())) return (Date.now() - started) / 1000;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; alerts: ${JSON.stringify(await prometheus.alerts())}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const firing = (name: string) => (alerts: Alert[]): boolean => alerts.some((alert) => alert.labels.alertname === name && alert.state === 'firing');
const gone = (name: string) => (alerts: Alert[]): boolean => !alerts.some((alert) => alert.labels.alertname === name);

describe('alerts fire end to end (real Prometheus, relay and node)', () => {
  it('a flood of tampered envelopes fires HeraldTamperSpike, a burst of failed authentications HeraldRelayAuthFailureSpike; both resolve', async () => {
    const relay: RelayProcess = await spawnRelay();
    cleanups.push(() => relay.kill());
    const { alice, bob, keys } = await aliceAndBob(workdir);
    const listener = run(['listen', '--key', keys.bob, '--via', relay.url, '--data-dir', join(workdir, 'bob-data'), '--contact', join(workdir, 'alice.card'), '--metrics', '127.0.0.1:0', '--log-format', 'json']);
    cleanups.push(async () => {
      listener.child.kill('SIGTERM');
      await listener.exited;
    });
    await until(() => /metrics on http:\/\/\S+\/metrics\n/.test(listener.output()) && listener.output().includes('listening as'), 20_000, 'the node to listen');
    const nodeMetricsUrl = /metrics on (http:\/\/\S+\/metrics)\n/.exec(listener.output())![1]!;
    const target = (url: string): string => new URL(url).host;

    const ruleFile = await rulesWithShortTimes(workdir, FOR_SECONDS, WINDOW_SECONDS);
    const prometheus = await startPrometheus(workdir, { targets: { 'herald-node': target(nodeMetricsUrl), 'herald-relay': target(relay.metricsUrl!) }, ruleFile, intervalSeconds: INTERVAL_SECONDS });
    cleanups.push(() => prometheus.stop());
    for (let tries = 0; !(await prometheus.targetsUp()); tries++) {
      if (tries > 100) throw new Error('Prometheus never scraped both targets');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // Quiet before the attack: nothing pending or firing.
    await new Promise((resolve) => setTimeout(resolve, 3 * INTERVAL_SECONDS * 1000));
    expect(await prometheus.alerts()).toEqual([]);

    // Attack 1: envelopes sealed to Bob with one byte flipped, deposited in his mailbox. The relay reads only the
    // outer header and stores them; Bob's node refuses each one (DECRYPT_FAILED or BAD_SIGNATURE).
    const depositor = await rawClient(relay.url);
    await depositor.authenticate(generateIdentity(), false);
    const ids: string[] = [];
    for (let id = 1; id <= FLOOD; id++) {
      const envelope = seal(`tampered ${id}`, { from: alice, to: bob.card });
      ids.push(inspect(envelope).id);
      envelope[envelope.length - 1]! ^= 0x01;
      expect(await depositor.deposit(id, envelope)).toBe('ACCEPTED');
    }
    const nodeRefusals = async (): Promise<number> => {
      const text = await (await fetch(nodeMetricsUrl)).text();
      return text
        .split('\n')
        .filter((line) => /^herald_node_rejected_total\{code="(DECRYPT_FAILED|BAD_SIGNATURE|MALFORMED)"/.test(line))
        .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
    };
    for (let tries = 0; (await nodeRefusals()) < FLOOD; tries++) {
      if (tries > 200) throw new Error(`the node refused only ${await nodeRefusals()} of ${FLOOD}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // --log-format json: each refusal is a pino line with its code, channel and message id.
    const refusalLines = listener
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { service?: string; event?: string; code?: string; channel?: string; id?: string })
      .filter((entry) => entry.event === 'rejected');
    expect(refusalLines.length).toBe(FLOOD);
    expect(new Set(refusalLines.map((entry) => entry.id))).toEqual(new Set(ids));
    expect(refusalLines.every((entry) => entry.service === 'herald-node' && entry.channel === relay.url && ['DECRYPT_FAILED', 'BAD_SIGNATURE'].includes(entry.code ?? ''))).toBe(true);
    // The node's metrics name codes, channels, precedences and states, never a routing tag, message id or fingerprint
    // (threat model 10.3): the refusals above are counted, not listed.
    const text = (await (await fetch(nodeMetricsUrl)).text()).toLowerCase();
    const labels = new Set([...text.matchAll(/[{,]([a-z_]+)="/g)].map((match) => match[1]));
    // le: histogram buckets; version, major, minor, patch, type, space, kind: prom-client's process, heap and GC
    // metrics (nodejs_gc_duration_seconds{kind="major"} appears once a collection has run).
    for (const label of labels) expect(['code', 'channel', 'precedence', 'state', 'status', 'le', 'version', 'major', 'minor', 'patch', 'type', 'space', 'kind'], `label ${label}`).toContain(label);
    for (const secret of [toHex(bob.card.routingTag), ...ids, alice.card.fingerprint, bob.card.fingerprint, alice.card.fingerprint.replace(/-/g, '')]) expect(text.includes(secret.toLowerCase()), `${secret} in the node's metrics`).toBe(false);
    // From the last refusal: the next scrape sees the flood, `for` passes, the next evaluation fires.
    const budget = FOR_SECONDS + 2 * INTERVAL_SECONDS + INTERVAL_SECONDS;
    const tamperFired = await waitFor(prometheus, 'HeraldTamperSpike to fire', firing('HeraldTamperSpike'), 30_000);
    const tamperEnded = Date.now();
    expect(tamperFired).toBeLessThanOrEqual(budget + 1);
    const tamper = (await prometheus.alerts()).find((alert) => alert.labels.alertname === 'HeraldTamperSpike')!;
    expect(tamper.labels.channel).toBe(relay.url);

    // Attack 2: authentications signed for another relay's URL, each refused and counted (reason "url").
    for (let attempt = 0; attempt < FLOOD; attempt++) {
      const client = await rawClient(relay.url);
      client.send(protocol.answerChallenge(generateIdentity(), client.challenge, 'ws://elsewhere.example:7700/', false));
      await client.closed;
    }
    expect(await relay.metric('herald_relay_auth_failures_total{reason="url"}')).toBe(FLOOD);
    const authFired = await waitFor(prometheus, 'HeraldRelayAuthFailureSpike to fire', firing('HeraldRelayAuthFailureSpike'), 30_000);
    const authEnded = Date.now();
    expect(authFired).toBeLessThanOrEqual(budget + 1);
    // The node's channel and Bob's outbox are healthy: no other alert joined in.
    expect(new Set((await prometheus.alerts()).map((alert) => alert.labels.alertname))).toEqual(new Set(['HeraldTamperSpike', 'HeraldRelayAuthFailureSpike']));

    // Both resolve once the attacks leave the rules' windows.
    const resolveBudget = WINDOW_SECONDS + 2 * INTERVAL_SECONDS + INTERVAL_SECONDS;
    await waitFor(prometheus, 'HeraldTamperSpike to resolve', gone('HeraldTamperSpike'), (resolveBudget + 10) * 1000);
    const tamperResolved = (Date.now() - tamperEnded) / 1000;
    await waitFor(prometheus, 'HeraldRelayAuthFailureSpike to resolve', gone('HeraldRelayAuthFailureSpike'), (resolveBudget + 10) * 1000);
    const authResolved = (Date.now() - authEnded) / 1000;
    console.log(`tamper: fired ${tamperFired.toFixed(1)} s after the last refusal, resolved ${tamperResolved.toFixed(1)} s after firing; auth: fired ${authFired.toFixed(1)} s after the burst, resolved ${authResolved.toFixed(1)} s after firing`);
    expect(await prometheus.alerts()).toEqual([]);
    depositor.socket.close();
  }, 300_000);
});
