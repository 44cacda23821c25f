import type { SessionKey } from '@fairstream/sdk';

/**
 * The delegated session key, kept in IndexedDB as a CryptoKey (structured clone, never serialized
 * to text): reports can be signed after a reload without asking the wallet again.
 */
export interface StoredSessionKey {
  address: string;
  key: SessionKey;
  expiresAt: number;
}

const DB = 'fairstream';
const STORE = 'session-keys';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run<T>(
  mode: IDBTransactionMode,
  action: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = action(db.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

export async function loadSessionKey(address: string): Promise<StoredSessionKey | undefined> {
  const stored = await run<StoredSessionKey | undefined>('readonly', (store) =>
    store.get(address.toLowerCase()),
  ).catch(() => undefined);
  // A minute of margin: a report signed now must still be inside the delegation when it arrives.
  return stored && stored.expiresAt > Date.now() + 60_000 ? stored : undefined;
}

export async function saveSessionKey(stored: StoredSessionKey): Promise<void> {
  await run('readwrite', (store) => store.put(stored, stored.address.toLowerCase()));
}

export async function deleteSessionKey(address: string): Promise<void> {
  await run('readwrite', (store) => store.delete(address.toLowerCase())).catch(() => undefined);
}
