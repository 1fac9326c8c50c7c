import { parseArgs } from 'node:util';
import { isHeraldError } from '@herald/core';
import { initFromFlags, serveRelay } from './serve.js';
import { relayVersion } from './version.js';

const USAGE = `usage: herald-relay --listen HOST:PORT --data-dir DIR [--config relay.yaml] [options]

Runs a Herald relay: store-and-forward mailboxes over WebSocket, kept in LMDB in DIR.
Prints "relay listening on ws://HOST:PORT/" first on stdout; JSON logs go to stderr.
SIGTERM or SIGINT shut it down gracefully. See docs/operations.md.

options:
  --listen HOST:PORT        where to listen (default 127.0.0.1:7700; port 0 picks a free one)
  --data-dir DIR            the mailbox store (required here or in the config file)
  --store nats://H:P,H:P…   keep the mailboxes in this NATS JetStream cluster instead (shared by
                            every relay given it); DIR then holds only the MQTT broker's sessions
  --store-replicas N        copies JetStream keeps of each envelope: 1, 3 (default) or 5
  --config FILE             YAML config file; flags override it
  --metrics HOST:PORT       serve /metrics (and /healthz) there; a bare PORT means 127.0.0.1:PORT.
                            Without it no /metrics is served; the main port serves /healthz only
  --smtp HOST:PORT          also accept envelopes by SMTP there (stations that can only send mail)
  --mqtt HOST:PORT          also run the embedded MQTT broker there (mqtt:// channels)
  --mqtt-anonymous          the embedded broker also admits clients that prove no identity key
  --mqtt-public-url URL     an mqtt:// or mqtts:// URL that leads to the embedded broker (a port
                            forward, a TLS terminator): proofs signed for it are accepted (repeatable)
  --public-url URL          a URL clients dial (repeatable)
  --decoy-site DIR          look like an ordinary web server: serve this static folder to anyone
                            without the relay's keyed path; the first line then gives the keyed URL
  --decoy-proxy URL         the same, with a real site behind a reverse proxy as the decoy
  --allow-deposit CARD      only these identities may deposit (repeatable)
  --allow-collect CARD      only these identities' mailboxes may be collected (repeatable)
  --admit-authority CARD    admit only clients certified by this authority (repeatable)
  --admit-revocations FILE  the authorities' revocation list, watched: revoked clients are closed at once
  --log-level LEVEL         fatal, error, warn, info, debug, trace or silent
  --version                 print the version and exit
`;

/** The relay's own command line (also behind `herald relay`); returns the exit code. */
export async function relayMain(argv: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        listen: { type: 'string' },
        'data-dir': { type: 'string' },
        store: { type: 'string' },
        'store-replicas': { type: 'string' },
        config: { type: 'string' },
        metrics: { type: 'string' },
        smtp: { type: 'string' },
        mqtt: { type: 'string' },
        'mqtt-anonymous': { type: 'boolean' },
        'public-url': { type: 'string', multiple: true },
        'mqtt-public-url': { type: 'string', multiple: true },
        'decoy-site': { type: 'string' },
        'decoy-proxy': { type: 'string' },
        'allow-deposit': { type: 'string', multiple: true },
        'allow-collect': { type: 'string', multiple: true },
        'admit-authority': { type: 'string', multiple: true },
        'admit-revocations': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
    }));
  } catch (error) {
    process.stderr.write(`usage error: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.version) {
    process.stdout.write(`herald-relay ${relayVersion()}\n`);
    return 0;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  try {
    const init = await initFromFlags({
      listen: values.listen,
      dataDir: values['data-dir'],
      store: values.store,
      storeReplicas: values['store-replicas'],
      config: values.config,
      metricsListen: values.metrics,
      smtp: values.smtp,
      mqtt: values.mqtt,
      mqttAnonymous: values['mqtt-anonymous'],
      mqttPublicUrls: values['mqtt-public-url'],
      logLevel: values['log-level'],
      publicUrls: values['public-url'],
      decoySite: values['decoy-site'],
      decoyProxy: values['decoy-proxy'],
      allowDeposit: values['allow-deposit'],
      allowCollect: values['allow-collect'],
      admitAuthorities: values['admit-authority'],
      admitRevocations: values['admit-revocations'],
    });
    await serveRelay(init);
    return 0;
  } catch (error) {
    if (isHeraldError(error)) {
      process.stderr.write(`error ${error.code}: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`internal error: ${(error as Error).message}\n`);
    return 70;
  }
}
