import type { Platform } from '../capture/types.js';
import { legacyCall, legacyError } from '../legacy/calls.js';
import type { JsonValue } from '../util/json.js';
import type { KVStorage } from '../util/kv.js';
import type { SignedSpecEnvelope } from './types.js';

/** The last accepted version of a spec slot, kept on the device. */
export interface CachedSpec {
  name: string;
  platform: Platform;
  version: number;
  envelope: SignedSpecEnvelope;
  /** When this device accepted it, ISO 8601 UTC. */
  acceptedAt: string;
}

/**
 * Device cache of accepted specs, one entry per (name, platform) plus one per pinned version.
 * It is also the rollback floor: `loadSpec` refuses a remote version older than the cached one.
 * Entries are re-verified on every load, so a tampered cache is rejected, not trusted.
 */
export interface SpecStorage {
  /** The cached entry, or `null`. `version` reads a pinned version's entry. */
  load(name: string, platform: Platform, version?: number): Promise<CachedSpec | null>;
  /** Stores `entry` (`pinned`: under its version rather than as the slot's active spec). */
  save(entry: CachedSpec, options?: { pinned?: boolean }): Promise<void>;
  /** Forgets an entry, e.g. after resetting a development store. */
  remove(name: string, platform: Platform, version?: number): Promise<void>;
}

const slotKey = (prefix: string, name: string, platform: string, version?: number) =>
  `${prefix}${encodeURIComponent(name)}@${encodeURIComponent(platform)}${version === undefined ? '' : `#${version}`}`;

function parseJson(raw: string | null): unknown {
  if (!raw) return null;
  try {
    return JSON.parse(raw);
  } catch {
    // A corrupt entry is as good as none; the loader falls back and overwrites it.
    return null;
  }
}

/**
 * A {@link SpecStorage} over any key-value storage (`localStorage`, AsyncStorage, memory).
 * Keys start with `prefix` (default `factoredui:spec:`).
 *
 * @example
 * ```ts
 * const storage = createSpecStorage(window.localStorage);
 * const loaded = await loadSpec({ store, name: 'home', platform: 'web', baseline, storage, verifier });
 * ```
 */
export function createSpecStorage(kv: KVStorage, options: { prefix?: string } = {}): SpecStorage {
  if (typeof options === 'string') {
    legacyCall(
      `createSpecStorage(kv, '${String(options)}')`,
      `createSpecStorage(kv, { prefix }) (entries are per spec name and platform now; the 0.5.1 '<prefix>:active-spec' entry is not read)`,
    );
  }
  const prefix = options.prefix ?? 'factoredui:spec:';
  const storage: SpecStorage = {
    async load(name, platform, version) {
      const value = parseJson(await kv.getItem(slotKey(prefix, name, platform, version)));
      if (typeof value !== 'object' || value === null) return null;
      const entry = value as Partial<CachedSpec>;
      if (
        entry.name !== name ||
        entry.platform !== platform ||
        typeof entry.version !== 'number' ||
        typeof entry.envelope !== 'object' ||
        entry.envelope === null
      )
        return null;
      return entry as CachedSpec;
    },
    async save(entry, saveOptions = {}) {
      const version = saveOptions.pinned ? entry.version : undefined;
      await kv.setItem(slotKey(prefix, entry.name, entry.platform, version), JSON.stringify(entry));
    },
    async remove(name, platform, version) {
      await kv.removeItem(slotKey(prefix, name, platform, version));
    },
  };
  // 0.5.1 had one active spec per storage: loadActive() throws instead of being undefined.
  Object.defineProperty(storage, 'loadActive', {
    configurable: true,
    enumerable: false,
    value: () =>
      Promise.reject(
        legacyError(
          'storage.loadActive()',
          'storage.load(name, platform), or loadSpec({ store, name, platform, storage, ... })',
        ),
      ),
  });
  return storage;
}

/** A data source value kept on the device. */
export interface CachedSourceValue {
  value: JsonValue;
  /** When it was fetched, ISO 8601 UTC. */
  storedAt: string;
}

/** Device cache of data source results, used when a source cannot be fetched (offline). */
export interface DataSourceCache {
  get(name: string): Promise<CachedSourceValue | null>;
  set(name: string, value: JsonValue): Promise<void>;
  remove(name: string): Promise<void>;
}

/**
 * A {@link DataSourceCache} over any key-value storage. Keys start with `prefix` (default
 * `factoredui:source:`).
 */
export function createDataSourceCache(
  kv: KVStorage,
  options: { prefix?: string; now?: () => number } = {},
): DataSourceCache {
  const prefix = options.prefix ?? 'factoredui:source:';
  const now = options.now ?? Date.now;
  const keyOf = (name: string) => `${prefix}${encodeURIComponent(name)}`;
  return {
    async get(name) {
      const value = parseJson(await kv.getItem(keyOf(name)));
      if (typeof value !== 'object' || value === null || !('storedAt' in value)) return null;
      return value as CachedSourceValue;
    },
    async set(name, value) {
      const entry: CachedSourceValue = { value, storedAt: new Date(now()).toISOString() };
      await kv.setItem(keyOf(name), JSON.stringify(entry));
    },
    async remove(name) {
      await kv.removeItem(keyOf(name));
    },
  };
}
