import { serveRelay, initFromFlags, relayVersion } from '@herald/relay';
import { writeStdout } from '../io.js';
import { defineCommand } from '../command.js';
import { UsageError } from '../errors.js';

export const relay = defineCommand({
  name: 'relay',
  summary: 'run a relay: store-and-forward mailboxes for ws:// channels, with an optional MQTT broker (--mqtt) and SMTP endpoint (--smtp)',
  synopsis: '--listen HOST:PORT --data-dir DIR [--config relay.yaml] [options]',
  description: `
Runs a Herald relay on embedded defaults: mailboxes in LMDB under DIR, no
outside service. Clients authenticate with their identity key and collect only
the mailboxes they prove they own; the relay never sees plaintext or senders.
The first line on stdout is "relay listening on ws://HOST:PORT/" (the real port
when PORT is 0; behind a decoy, the keyed URL members dial); JSON logs go to stderr; /healthz is served on the same port, and
/metrics (Prometheus) only on the --metrics listener. A YAML config file (--config) can hold every option; flags override
it. SIGTERM or SIGINT shut down gracefully. See docs/operations.md.`,
  flags: {
    listen: { type: 'string', value: 'HOST:PORT', description: 'where to listen (default 127.0.0.1:7700; port 0 picks a free one)' },
    'data-dir': { type: 'string', value: 'DIR', description: 'the mailbox store (required here or in the config file)' },
    store: { type: 'string', value: 'nats://H:P,…', description: 'keep the mailboxes in this NATS JetStream cluster instead, shared by every relay given it (DIR then holds only the MQTT broker sessions)' },
    'store-replicas': { type: 'string', value: 'N', description: 'copies JetStream keeps of each envelope: 1, 3 (default) or 5' },
    config: { type: 'string', value: 'FILE', description: 'YAML config file (docs/operations.md)' },
    metrics: { type: 'string', value: 'HOST:PORT', description: 'serve /metrics (and /healthz) there, e.g. 127.0.0.1:9465 (a bare PORT means loopback); without it, no /metrics' },
    version: { type: 'boolean', description: 'print the relay version and exit' },
    smtp: { type: 'string', value: 'HOST:PORT', description: 'also accept envelopes by SMTP there, for stations that can only send mail' },
    mqtt: { type: 'string', value: 'HOST:PORT', description: 'also run the embedded MQTT broker there, for mqtt:// channels (sessions kept in DIR/mqtt)' },
    'mqtt-anonymous': { type: 'boolean', description: 'the embedded broker also admits clients that prove no identity key' },
    'mqtt-public-url': { type: 'string', value: 'URL', multiple: true, description: 'an mqtt:// or mqtts:// URL that leads to the embedded broker (a port forward, a TLS terminator): identity proofs signed for it are accepted (repeatable)' },
    'public-url': { type: 'string', value: 'URL', multiple: true, description: 'a URL clients dial, e.g. wss://relay.example.org/herald (repeatable)' },
    'decoy-site': { type: 'string', value: 'DIR', description: "look like an ordinary web server: serve this static folder to anyone without the relay's keyed path (the first line then gives the keyed URL members dial)" },
    'decoy-proxy': { type: 'string', value: 'URL', description: 'the same, with a real site behind a reverse proxy as the decoy (http:// or https://)' },
    'allow-deposit': { type: 'string', value: 'CARD', multiple: true, description: 'only these identities may deposit (repeatable)' },
    'allow-collect': { type: 'string', value: 'CARD', multiple: true, description: "only these identities' mailboxes may be collected (repeatable)" },
    'log-level': { type: 'string', value: 'LEVEL', description: 'fatal, error, warn, info (default), debug, trace or silent' },
    'admit-authority': { type: 'string', value: 'CARD', multiple: true, description: 'admit only clients certified by this organisation authority (repeatable)' },
    'admit-revocations': { type: 'string', value: 'FILE', description: 'that authority\'s revocation list, watched: a newer one closes revoked clients at once' },
  },
  async run({ flags }) {
    if (flags.version) {
      await writeStdout(`herald-relay ${relayVersion()}\n`);
      return;
    }
    if (flags['data-dir'] === undefined && flags.config === undefined) throw new UsageError('--data-dir is required (or dataDir in a --config file)');
    const init = await initFromFlags({
      listen: flags.listen,
      dataDir: flags['data-dir'],
      store: flags.store,
      storeReplicas: flags['store-replicas'],
      config: flags.config,
      metricsListen: flags.metrics,
      smtp: flags.smtp,
      mqtt: flags.mqtt,
      ...(flags['mqtt-anonymous'] ? { mqttAnonymous: true } : {}),
      logLevel: flags['log-level'],
      publicUrls: flags['public-url'],
      mqttPublicUrls: flags['mqtt-public-url'],
      decoySite: flags['decoy-site'],
      decoyProxy: flags['decoy-proxy'],
      allowDeposit: flags['allow-deposit'],
      allowCollect: flags['allow-collect'],
      admitAuthorities: flags['admit-authority'],
      admitRevocations: flags['admit-revocations'],
    });
    await serveRelay(init);
  },
});
