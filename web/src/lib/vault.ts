/**
 * The session's authoritative copy for refreshes, in IndexedDB.
 *
 * Why not only localStorage: refresh tokens rotate, so tabs take turns under a Web Lock and each
 * must read the token the previous holder stored. Chromium propagates localStorage between tabs
 * asynchronously, and a tab that just acquired the lock was measured reading the previous value
 * about a third of the time (which would replay a rotated token and revoke the session).
 * IndexedDB transactions are committed by the browser before the writer releases the lock, so
 * the next holder always reads the latest tokens.
 */

const DB = 'credits';
const STORE = 'session';
const KEY = 'current';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run<T>(mode: IDBTransactionMode, op: (store: IDBObjectStore) => IDBRequest | void): Promise<T | undefined> {
  const db = await open();
  try {
    return await new Promise<T | undefined>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      let result: T | undefined;
      const req = op(tx.objectStore(STORE));
      if (req) req.onsuccess = () => (result = req.result as T);
      // Resolved on commit, not on the request's success: only then can another tab see it.
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

/** The stored value, or undefined when IndexedDB is unavailable or holds nothing. */
export async function readVault<T>(): Promise<T | undefined> {
  try {
    return (await run<T>('readonly', (s) => s.get(KEY))) ?? undefined;
  } catch {
    return undefined;
  }
}

export async function writeVault<T>(value: T | null): Promise<void> {
  try {
    await run('readwrite', (s) => (value === null ? s.delete(KEY) : s.put(value, KEY)));
  } catch {
    /* no IndexedDB (some private modes): localStorage alone, refreshes best effort */
  }
}
