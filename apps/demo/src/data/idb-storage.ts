import { FactoredError, type KVStorage } from '@factoredui/core';

/** Options of {@link createIndexedDbStorage}. */
export interface IndexedDbStorageOptions {
  /** The IndexedDB database. Default `factoredui-demo`. */
  databaseName?: string;
  /** The object store holding the values. Default `kv`. */
  storeName?: string;
  /** The factory (`indexedDB` of a window or a worker). Default the global one. */
  factory?: IDBFactory;
}

/** A {@link KVStorage} over IndexedDB, with `close()`. */
export interface IndexedDbStorage extends KVStorage {
  close(): Promise<void>;
}

function failure(action: string, error: DOMException | null): FactoredError {
  const name = error?.name ?? 'UnknownError';
  const hint =
    name === 'QuotaExceededError'
      ? 'the browser refused the space (free disk space or allow this site more storage)'
      : `IndexedDB reported ${name}${error?.message ? `: ${error.message}` : ''}`;
  return new FactoredError('unavailable', `Could not ${action}: ${hint}.`, { cause: error });
}

/**
 * A key-value storage in one IndexedDB object store. Unlike `localStorage` it holds values of
 * hundreds of megabytes (the origin's quota, a share of the disk), is asynchronous and works in
 * a Web Worker. `setItem` resolves once its transaction has committed and rejects with an
 * `unavailable` FactoredError (naming `QuotaExceededError` and what to do) when it did not.
 */
export function createIndexedDbStorage(options: IndexedDbStorageOptions = {}): IndexedDbStorage {
  const { databaseName = 'factoredui-demo', storeName = 'kv' } = options;
  const factory = options.factory ?? globalThis.indexedDB;
  let opened: Promise<IDBDatabase> | undefined;

  const open = () => {
    opened ??= new Promise<IDBDatabase>((resolve, reject) => {
      if (!factory) {
        reject(new FactoredError('unavailable', 'IndexedDB is not available in this browser.'));
        return;
      }
      const request = factory.open(databaseName, 1);
      request.onupgradeneeded = () => {
        if (!request.result.objectStoreNames.contains(storeName))
          request.result.createObjectStore(storeName);
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(failure(`open IndexedDB "${databaseName}"`, request.error));
      request.onblocked = () =>
        reject(
          new FactoredError(
            'unavailable',
            `IndexedDB "${databaseName}" is blocked by another tab: close the demo's other tabs and reload.`,
          ),
        );
    });
    return opened;
  };

  const transact = async <T>(
    mode: IDBTransactionMode,
    action: string,
    run: (store: IDBObjectStore) => IDBRequest,
  ): Promise<T> => {
    const db = await open();
    return new Promise<T>((resolve, reject) => {
      const transaction = db.transaction(storeName, mode);
      const request = run(transaction.objectStore(storeName));
      // Resolve on commit, not on the request's success: a write is durable only then.
      transaction.oncomplete = () => resolve(request.result as T);
      transaction.onerror = () => reject(failure(action, transaction.error ?? request.error));
      transaction.onabort = () => reject(failure(action, transaction.error ?? request.error));
    });
  };

  return {
    async getItem(key) {
      const value = await transact<unknown>('readonly', `read "${key}"`, (s) => s.get(key));
      return typeof value === 'string' ? value : null;
    },
    async setItem(key, value) {
      await transact('readwrite', `save "${key}"`, (s) => s.put(value, key));
    },
    async removeItem(key) {
      await transact('readwrite', `remove "${key}"`, (s) => s.delete(key));
    },
    async close() {
      if (opened) (await opened.catch(() => null))?.close();
      opened = undefined;
    },
  };
}
