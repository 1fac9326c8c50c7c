export { transportComplianceSuite } from './suite.js';
export type { ComplianceHarness, ComplianceSetupContext } from './harness.js';
export { ComplianceOptionsSchema, type ComplianceOptions } from './options.js';
export type { ComplianceSetup } from './session.js';
export { routeOf, sealedFor, sealedOfSize, asTransportError, bytesEqual, type TransportErrorShape } from './fixtures.js';
export { waitFor, sleep } from './wait.js';
export { applicationReader, recorder, startedFor, exchangeBothWays, type Recorder } from './recorder.js';
export { startTinyproxy, startMicrosocks, startSourceWitness, PROXY_ONLY_HOST, type ProxyProcess, type ProxyOptions, type SourceWitness } from './proxies.js';
