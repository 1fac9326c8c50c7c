import type { Identity, Transport } from '@herald/core';
import { courierTransport } from '@herald/courier';
import { dirTransport } from '@herald/transport-dir';
import { emailTransport } from '@herald/transport-email';
import { mqttTransport } from '@herald/transport-mqtt';
import { webSocketTransport } from '@herald/transport-websocket';
import type { ChannelConfig, NodeConfig } from './protocol.js';

/**
 * Transports for a drill node, named by kind (relay, mqtt, email, dir, bundle)
 * so the report can group by channel. Liveness settings are tight, as in a
 * drill the point is to see how fast a dead link is noticed and routed around.
 */
export function channelFor(config: ChannelConfig, identity: Identity, policy: NodeConfig['policy']): Transport {
  const heartbeat = policy.heartbeatMs;
  switch (config.kind) {
    case 'relay':
      return webSocketTransport({ url: config.url, identity, name: 'relay', heartbeatIntervalMs: heartbeat, heartbeatTimeoutMs: heartbeat * 3, connectTimeoutMs: 2_000, sendTimeoutMs: policy.sendTimeoutMs, maxReconnectDelayMs: 1_000 });
    case 'mqtt':
      return mqttTransport({ url: config.url, identity, name: 'mqtt', keepaliveSeconds: Math.max(1, Math.round(heartbeat / 1000)), connectTimeoutMs: 2_000, sendTimeoutMs: policy.sendTimeoutMs, maxReconnectDelayMs: 1_000 });
    case 'dir':
      return dirTransport({ path: config.path, name: 'dir', pollIntervalMs: policy.pollMs, maxRetryDelayMs: 1_000 });
    case 'bundle':
      return courierTransport({ path: config.path, name: 'bundle' });
    case 'email': {
      const account = (port: number) => ({ host: '127.0.0.1', port, security: 'tls' as const, user: config.address, password: config.password, ca: config.ca });
      return emailTransport({
        address: config.address,
        name: 'email',
        smtp: account(config.smtpPort),
        imap: account(config.imapPort),
        addressBook: config.addressBook,
        pollIntervalMs: Math.max(policy.pollMs, 500),
        maxReconnectDelayMs: 1_000,
        timeoutMs: 5_000,
      });
    }
  }
}
