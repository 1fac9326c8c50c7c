export { transportComplianceSuite } from './suite.js';
export type { ComplianceHarness, ComplianceSetupContext, ComplianceOptions } from './harness.js';
export type { ComplianceSetup } from './session.js';
export { routeOf, sealedFor, sealedOfSize, asTransportError, bytesEqual, type TransportErrorShape } from './fixtures.js';
export { waitFor, sleep } from './wait.js';
export { applicationReader, recorder, startedFor, exchangeBothWays, type Recorder } from './recorder.js';
export { startTinyproxy, startMicrosocks, startSourceWitness, PROXY_ONLY_HOST, type ProxyProcess, type ProxyOptions, type SourceWitness } from './proxies.js';
