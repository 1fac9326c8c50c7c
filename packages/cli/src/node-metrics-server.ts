import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OptionsError } from '@herald/core';
import { httpHandler, parseMetricsAddress } from '@herald/relay';
import { nodeMetrics } from './node-metrics.js';
import type { RunningNode } from './node-runtime.js';

export interface NodeMetricsServer {
  /** `http://host:port/metrics` as bound. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves the node's metrics as Prometheus text on `address` (`host:port`, or a bare port on 127.0.0.1), with /healthz
 * beside them (the relay's handler): `herald listen --metrics 127.0.0.1:9464`.
 */
export async function serveNodeMetrics(running: RunningNode, address: string): Promise<NodeMetricsServer> {
  const { host, port } = parseMetricsAddress(address, '--metrics');
  const chainExpires = running.chain?.reduce<Date | undefined>((earliest, certificate) => (earliest === undefined || certificate.notAfter < earliest ? certificate.notAfter : earliest), undefined);
  const metrics = nodeMetrics({
    node: running.node,
    store: running.store,
    channels: running.channels,
    ...(chainExpires ? { certificateExpires: () => chainExpires } : {}),
    revocationsIssued: () => running.trust.revocationLists().reduce<Date | undefined>((oldest, list) => (oldest === undefined || list.issued < oldest ? list.issued : oldest), undefined),
  });
  const server = createServer(httpHandler(metrics.registry, () => ({ status: 'ok' })));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(new OptionsError(`--metrics: cannot listen on ${address}: ${error.code ?? error.message}`, { cause: error })));
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/metrics`,
    async close() {
      metrics.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
