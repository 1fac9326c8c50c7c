import { afterAll } from 'vitest';
import { transportComplianceSuite, type ComplianceSetup } from '@herald/transport-compliance';
import { mqttTransport, type MqttTransportInit } from '@herald/transport-mqtt';
import { startMosquitto, type MosquittoProcess } from '@herald/transport-mqtt/testing';

/**
 * The compliance suite against a real Mosquitto process. One broker serves the
 * whole file (every case has fresh identities, so fresh client ids and topics);
 * the cut-medium case stops it with SIGTERM and starts it again on the same
 * port and persistence, as an operator's restart would.
 */
let broker: MosquittoProcess | undefined;
afterAll(async () => {
  await broker?.close();
});

/** Short timings, so a cut broker is noticed and a restored one found again within the suite's waits. */
export const FAST: Partial<MqttTransportInit> = { keepaliveSeconds: 1, minReconnectDelayMs: 50, maxReconnectDelayMs: 300, connectTimeoutMs: 2000, maxEnvelopeBytes: 256 * 1024 };

/** The harness for one configuration: sender and receivers on the file's broker, cut by stopping it. */
function harness(extra: Partial<MqttTransportInit>): ComplianceSetup {
  return async ({ identities }) => {
    broker ??= await startMosquitto();
    const url = broker.url;
    const make = (identity: typeof identities.sender) => mqttTransport({ url, identity, ...FAST, ...extra });
    return {
      sender: make(identities.sender),
      receiver: make(identities.receiver),
      reopenReceiver: () => make(identities.receiver),
      disrupt: () => broker!.stop('SIGTERM'),
      restore: () => broker!.start(),
      async teardown() {
        // The broker outlives the case; the suite has stopped the transports.
      },
    };
  };
}

transportComplianceSuite('mqtt (real Mosquitto process)', harness({}), { timeoutMs: 8000, settleMs: 300 });
// A client and session per routing tag (epoch tags: threat model 14.4) must keep the same contract.
transportComplianceSuite('mqtt, a session per tag (real Mosquitto process)', harness({ sessionPerTag: true }), { timeoutMs: 8000, settleMs: 300 });
