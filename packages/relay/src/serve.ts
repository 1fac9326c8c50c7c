import { OptionsError } from '@herald/core';
import { loadRelayConfig, parseRelayConfig, readConfigText } from './config.js';
import type { NatsStoreOptions } from './store/nats/options.js';
import type { RelayInit } from './init.js';
import { startRelay, type RelayHandle } from './relay.js';

/** What the command line gives: flags win over the config file, which wins over the defaults. */
export interface RelayFlags {
  readonly listen?: string | undefined;
  readonly dataDir?: string | undefined;
  /** `--store nats://h1:4222,…`: the NATS cluster's servers (other store options from the config file are kept). */
  readonly store?: string | undefined;
  /** `--store-replicas N`. */
  readonly storeReplicas?: string | undefined;
  readonly config?: string | undefined;
  readonly metricsListen?: string | undefined;
  readonly smtp?: string | undefined;
  readonly mqtt?: string | undefined;
  readonly mqttAnonymous?: boolean | undefined;
  readonly mqttPublicUrls?: readonly string[] | undefined;
  readonly logLevel?: string | undefined;
  readonly publicUrls?: readonly string[] | undefined;
  readonly decoySite?: string | undefined;
  readonly decoyProxy?: string | undefined;
  readonly allowDeposit?: readonly string[] | undefined;
  readonly allowCollect?: readonly string[] | undefined;
  readonly admitAuthorities?: readonly string[] | undefined;
  readonly admitRevocations?: string | undefined;
}

export async function initFromFlags(flags: RelayFlags): Promise<RelayInit> {
  const overrides: Partial<RelayInit> = Object.fromEntries(
    Object.entries({
      listen: flags.listen,
      dataDir: flags.dataDir,
      metricsListen: flags.metricsListen,
      smtp: flags.smtp,
      mqtt: flags.mqtt,
      mqttAnonymous: flags.mqttAnonymous,
      mqttPublicUrls: flags.mqttPublicUrls?.length ? flags.mqttPublicUrls : undefined,
      logLevel: flags.logLevel,
      publicUrls: flags.publicUrls?.length ? flags.publicUrls : undefined,
      allowDeposit: flags.allowDeposit?.length ? flags.allowDeposit : undefined,
      allowCollect: flags.allowCollect?.length ? flags.allowCollect : undefined,
      admitAuthorities: flags.admitAuthorities?.length ? flags.admitAuthorities : undefined,
      admitRevocations: flags.admitRevocations,
      decoySite: flags.decoySite,
      decoyProxy: flags.decoyProxy,
    }).filter(([, value]) => value !== undefined),
  );
  if (flags.store === undefined && flags.storeReplicas === undefined) {
    if (flags.config !== undefined) return loadRelayConfig(flags.config, overrides);
    return overrides as RelayInit;
  }
  // The store flags amend the config file's store (its credentials and TLS stay): merged before validation.
  const fromFile = flags.config !== undefined ? parseRelayConfig(await readConfigText(flags.config), flags.config).store : undefined;
  const base = typeof fromFile === 'string' ? { servers: fromFile } : (fromFile ?? {});
  const replicas = flags.storeReplicas === undefined ? undefined : /^\d+$/.test(flags.storeReplicas) ? Number(flags.storeReplicas) : flags.storeReplicas;
  const store = { ...base, ...(flags.store !== undefined ? { servers: flags.store } : {}), ...(replicas !== undefined ? { replicas } : {}) } as NatsStoreOptions;
  if (store.servers === undefined) throw new OptionsError('--store-replicas: give the cluster too (--store nats://…, or store: in the config file)');
  if (flags.config !== undefined) return loadRelayConfig(flags.config, { ...overrides, store });
  return { ...overrides, store } as RelayInit;
}

/**
 * Runs a relay until SIGTERM or SIGINT (or `signal`), then shuts it down
 * gracefully. The first line on stdout is `relay listening on ws://HOST:PORT/`,
 * which scripts and tests read to learn the port; behind a decoy it ends in the keyed path
 * (`ws://HOST:PORT/<knock>`), and each of publicUrls follows with it (`relay public URL wss://…/<knock>`): the URLs
 * members are given, and the only ones the relay answers on.
 */
export async function serveRelay(init: RelayInit, options: { signal?: AbortSignal; write?: (line: string) => void } = {}): Promise<void> {
  const relay: RelayHandle = await startRelay(init);
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  write(`relay listening on ${relay.url}\n`);
  for (const url of relay.keyedPublicUrls) write(`relay public URL ${url}\n`);
  if (relay.metricsUrl) write(`relay metrics on ${relay.metricsUrl}\n`);
  if (relay.smtpUrl) write(`relay smtp on ${relay.smtpUrl}\n`);
  if (relay.mqttUrl) write(`relay mqtt broker on ${relay.mqttUrl}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    options.signal?.addEventListener('abort', stop, { once: true });
  });
  await relay.close();
}
