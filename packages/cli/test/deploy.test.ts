import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { HeraldNode, HeraldStore, Transport } from '@herald/core';
import { relayMetrics } from '../../relay/src/metrics.js';
import { mqttBrokerMetrics } from '../../relay/src/mqtt/broker-metrics.js';
import type { MailboxCounts } from '../../relay/src/store/counts.js';
import type { StorageHealth } from '../../relay/src/store/storage-health.js';
import { nodeMetrics } from '../src/node-metrics.js';
import { ALERTS_FILE } from './prometheus-process.js';
import { bin } from './process-kit.js';

const DEPLOY = fileURLToPath(new URL('../../../deploy/', import.meta.url));

/** Every series name the relay and the node export, read from their real registries (histograms with their suffixes). */
async function exportedNames(): Promise<Set<string>> {
  const counts = { envelopes: 0, bytes: 0, mailboxes: 0 } as unknown as MailboxCounts;
  const relay = relayMetrics(counts, { failure: undefined } as unknown as StorageHealth, { maxStoredBytes: 1, maxStoredEnvelopes: 1 }, () => undefined);
  // The embedded broker's, in the same registry (a relay started with --mqtt).
  const none = { messages: 0, bytes: 0 };
  mqttBrokerMetrics(relay.registry, { sockets: () => 0, clients: () => 0, sessions: () => 0, queued: () => ({ offline: none, online: none }) }, { maxMessages: 1, maxBytes: 1, maxSessions: 1 });
  const node = { subscribe: () => () => undefined, outbox: async () => [] } as unknown as HeraldNode;
  const channel = { name: 'ws://127.0.0.1:1/', health: () => ({ state: 'up', since: 0 }) } as unknown as Transport;
  const fromNode = nodeMetrics({ node, store: {} as HeraldStore, channels: [channel], certificateExpires: () => new Date(), revocationsIssued: () => undefined });
  const names = new Set<string>();
  for (const registry of [relay.registry, fromNode.registry]) {
    for (const metric of await registry.getMetricsAsJSON()) {
      names.add(metric.name);
      if (String(metric.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
    }
  }
  fromNode.stop();
  return names;
}

/** Metric names in a PromQL expression: identifiers of our families and the process ones. */
const metricsIn = (expr: string): string[] => [...expr.matchAll(/\b(?:herald|process|nodejs)_[a-z_]+\b/g)].map((match) => match[0]);

describe('deploy/', () => {
  it('grafana/herald.json: every panel queries metrics the relay or the node exports', async () => {
    const names = await exportedNames();
    const dashboard = JSON.parse(await readFile(join(DEPLOY, 'grafana/herald.json'), 'utf8')) as { panels: { title: string; type: string; targets?: { expr: string }[] }[] };
    const panels = dashboard.panels.filter((panel) => panel.type !== 'row');
    expect(panels.length).toBeGreaterThanOrEqual(10);
    for (const panel of panels) {
      expect(panel.targets?.length, `${panel.title} has queries`).toBeGreaterThan(0);
      for (const { expr } of panel.targets ?? []) {
        const used = metricsIn(expr);
        expect(used.length, `${panel.title}: ${expr}`).toBeGreaterThan(0);
        for (const name of used) expect(names.has(name), `${panel.title}: ${name} is not exported`).toBe(true);
      }
    }
  });

  it('prometheus/alerts.yml: every rule uses metrics the relay or the node exports', async () => {
    const names = await exportedNames();
    const rules = (parse(await readFile(ALERTS_FILE, 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] }).groups.flatMap((group) => group.rules);
    for (const rule of rules) {
      const used = metricsIn(rule.expr);
      expect(used.length, rule.alert).toBeGreaterThan(0);
      for (const name of used) expect(names.has(name), `${rule.alert}: ${name} is not exported`).toBe(true);
    }
  });

  it('systemd/herald-relay.service: hardened, metrics on loopback, and valid for systemd-analyze', async () => {
    const text = await readFile(join(DEPLOY, 'systemd/herald-relay.service'), 'utf8');
    const settings = new Map(text.split('\n').filter((line) => /^\w+=/.test(line)).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
    for (const [key, value] of Object.entries({ NoNewPrivileges: 'yes', DynamicUser: 'yes', ProtectSystem: 'strict', ProtectHome: 'yes', PrivateTmp: 'yes', PrivateDevices: 'yes', CapabilityBoundingSet: '', RestrictAddressFamilies: 'AF_INET AF_INET6 AF_UNIX', StateDirectory: 'herald-relay', KillSignal: 'SIGTERM' })) {
      expect(settings.get(key), key).toBe(value);
    }
    expect(settings.get('ExecStart')).toMatch(/ --metrics 127\.0\.0\.1:\d+( |$)/);
    expect(settings.get('ExecStart')).toContain('--data-dir /var/lib/herald-relay');
    if (!existsSync('/usr/bin/systemd-analyze')) return;
    // Verified with ExecStart pointing at this build, so the check does not depend on where herald is installed.
    const dir = await mkdtemp(join(tmpdir(), 'herald-unit-'));
    try {
      const unit = join(dir, 'herald-relay.service');
      await writeFile(unit, text.replace(/^ExecStart=\S+ relay/m, `ExecStart=${process.execPath} ${bin} relay`));
      const verified = await promisify(execFile)('systemd-analyze', ['verify', unit]).then(() => 'ok', (error: { stderr?: string }) => error.stderr ?? 'failed');
      expect(verified).toBe('ok');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
