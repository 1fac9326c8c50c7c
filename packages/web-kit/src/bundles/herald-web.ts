// What a web app embedding Herald ships: core (envelopes v1 and v2, identities, the node), the WebSocket channel and the IndexedDB store.
// The sizes script (sizes.ts) bundles this file for the browser and reports its size.
export * from '@herald/core';
export { webSocketTransport, type WebSocketTransportInit } from '@herald/transport-websocket';
export * from '@herald/store-indexeddb';
