import { StoreInUseError } from '@herald/core';

/** The Web Locks name guarding database `name`: one per database, shared by every tab of the origin. */
export function tabLockName(name: string): string {
  return `herald-store:${name}`;
}

/**
 * Takes the exclusive Web Lock of database `name`, or fails at once with
 * STORE_IN_USE when another tab (or another store in this one) holds it: a node
 * keeps state in memory beside its store, so two nodes on one database would
 * each miss what the other queued. Resolves with the function that releases it;
 * the browser releases it too when the holding tab closes or crashes.
 * Without the Web Locks API (`locks` undefined) nothing is guarded.
 */
export function holdTabLock(name: string, locks: LockManager | undefined): Promise<() => void> {
  if (!locks) return Promise.resolve(() => undefined);
  return new Promise((resolve, reject) => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((done) => (release = done));
    locks
      .request(tabLockName(name), { mode: 'exclusive', ifAvailable: true }, (lock) => {
        if (lock === null) {
          reject(new StoreInUseError(`IndexedDB database ${JSON.stringify(name)} is in use by another tab of this site (one tab runs the node)`));
          return undefined;
        }
        resolve(release);
        return held;
      })
      .catch(reject);
  });
}

/** Asks the browser to keep this origin's storage under pressure (`navigator.storage.persist()`); false when it declines or cannot. */
export async function requestPersistentStorage(storage: StorageManager | undefined = (globalThis as { navigator?: { storage?: StorageManager } }).navigator?.storage): Promise<boolean> {
  try {
    return (await storage?.persist?.()) ?? false;
  } catch {
    return false;
  }
}
