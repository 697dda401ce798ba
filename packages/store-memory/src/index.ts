/**
 * `@factoredui/store-memory`: a complete {@link FactoredStore} held in memory, for browsers
 * and Node, with optional persistence through a {@link KVStorage}.
 *
 * @packageDocumentation
 */
import {
  createRandomId,
  type FactoredStore,
  type KVStorage,
  type StoreIdentity,
} from '@factoredui/core';
import { type Access, createAccess } from './access.js';
import { captureCapability } from './capabilities/capture.js';
import { experimentsCapability } from './capabilities/experiments.js';
import { factorsCapability } from './capabilities/factors.js';
import { governanceCapability } from './capabilities/governance.js';
import { lifecycleCapability } from './capabilities/lifecycle.js';
import { metricsCapability } from './capabilities/metrics.js';
import { specsCapability } from './capabilities/specs.js';
import type { MemoryContext } from './context.js';
import { createMemoryDatabase, type MemoryDatabase } from './database.js';

export {
  createMemoryDatabase,
  type MemoryDatabase,
  type MemoryDatabaseOptions,
} from './database.js';

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Share data with other stores (for example a user's store and a service store in one
   * process). Default: a new database, persisted to `storage` when given.
   */
  database?: MemoryDatabase;
  /** Persist data (and the anonymous id) here, e.g. `window.localStorage`. */
  storage?: KVStorage;
  /** Key under which the database is persisted. Default `factoredui:memory-store`. */
  storageKey?: string;
  /** See {@link MemoryDatabaseOptions.persistDelayMs}. */
  persistDelayMs?: number;
  /** See {@link MemoryDatabaseOptions.onPersistError}. */
  onPersistError?: (error: unknown) => void;
  /** `user` (default) or `service` (server/admin: definitions, maintenance, any user's rows). */
  role?: 'user' | 'service';
  /**
   * The end user this store acts as. Default: an anonymous id generated once and kept in
   * `storage` under `factoredui:anonymous-id`, so it survives reloads.
   */
  userId?: string;
  /**
   * Retention of raw events in days, the default of `pruneEvents` (DESIGN §19): events older
   * than this are removed when the service calls `pruneEvents()`. Default: none (pass
   * `retentionDays` to `pruneEvents`).
   */
  retentionDays?: number;
}

/** A memory store: a {@link FactoredStore} plus access to its database. */
export interface MemoryStore extends FactoredStore {
  /** The database behind this store. */
  readonly database: MemoryDatabase;
}

const ANONYMOUS_ID_KEY = 'factoredui:anonymous-id';

async function resolveIdentity(options: MemoryStoreOptions): Promise<StoreIdentity> {
  if (options.role === 'service') return { role: 'service', userId: null };
  if (options.userId !== undefined) return { role: 'user', userId: options.userId };
  const stored = options.storage ? await options.storage.getItem(ANONYMOUS_ID_KEY) : null;
  if (stored) return { role: 'user', userId: stored };
  const generated = createRandomId();
  await options.storage?.setItem(ANONYMOUS_ID_KEY, generated);
  return { role: 'user', userId: generated };
}

/**
 * Creates an in-memory store.
 *
 * @example
 * ```ts
 * const store = createMemoryStore({ storage: window.localStorage });
 * const capture = initCapture({ store });
 * ```
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const database =
    options.database ??
    createMemoryDatabase({
      ...(options.storage ? { storage: options.storage } : {}),
      ...(options.storageKey ? { storageKey: options.storageKey } : {}),
      ...(options.persistDelayMs !== undefined ? { persistDelayMs: options.persistDelayMs } : {}),
      ...(options.onPersistError ? { onPersistError: options.onPersistError } : {}),
    });
  let accessPromise: Promise<Access> | undefined;
  const context: MemoryContext = {
    db: database,
    access: () => {
      accessPromise ??= Promise.all([database.ready, resolveIdentity(options)]).then(
        ([, identity]) => createAccess(identity),
      );
      return accessPromise;
    },
  };
  const capture = captureCapability(context);
  const factors = factorsCapability(context);
  const experiments = experimentsCapability(context);
  return {
    database,
    async getIdentity() {
      return { ...(await context.access()).identity };
    },
    ...capture,
    ...factors,
    ...experiments,
    ...governanceCapability(context),
    ...metricsCapability(context),
    ...specsCapability(context),
    ...lifecycleCapability(
      context,
      { ...capture, ...factors, ...experiments },
      { retentionDays: options.retentionDays },
    ),
    subscribe: (topic, listener) => database.subscribe(topic, listener),
  };
}
