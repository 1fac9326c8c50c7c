export { bundleForBrowser, type BundleInit, type BundleInputs } from './bundle.js';
export { chromiumMissing, findChromium, launchChromium } from './chromium.js';
export { serveStatic, type StaticServer, type StaticServerInit } from './static-server.js';
export { SIZE_GOAL_BYTES, measureBundle, formatSizes, type BundleSizes } from './sizes.js';
export { browserHarness, type BrowserHarness } from './harness.js';
