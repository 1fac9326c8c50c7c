export { indexedDbStore } from './store.js';
export { indexedDbPrekeySecretStore, type IndexedDbPrekeySecretStoreInit } from './prekeys.js';
export { saveIdentity, loadIdentity, storedIdentityText, type SaveIdentityInit, type StoredIdentityInit } from './keys.js';
export { type IndexedDbStoreInit, DEFAULT_DATABASE_NAME, DEFAULT_MAX_OUTBOX, DEFAULT_MAX_INBOX, DEFAULT_MAX_SEEN } from './init.js';
export { saveContact, listContacts } from './contacts.js';
export { requestPersistentStorage, tabLockName } from './tab-lock.js';
