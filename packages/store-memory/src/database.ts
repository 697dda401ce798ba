import type {
  Assignment,
  ClusterAssignment,
  ComponentFactorAggregate,
  ErasureRecord,
  Experiment,
  ExperimentMetricPlan,
  Exposure,
  FactoredEvent,
  FactorSnapshotValue,
  FactorValue,
  GovernanceLogEntry,
  GovernanceThreshold,
  KVStorage,
  ReleasedAggregateCohort,
  ReleasedAssignedCohort,
  ReleasedCohort,
  Session,
  StoreChange,
  StoredMetric,
  StoredSpec,
  StoreTopic,
  VariantSufficientStatistics,
} from '@factoredui/core';

/** The tables of a memory database. Keys joined with `\u0000`, which no id or path contains. */
export interface MemoryTables {
  sessions: Map<string, Session>;
  /** By event id. */
  events: Map<string, FactoredEvent>;
  /** Current factor values by `userId\0path\0factor`. */
  factors: Map<string, FactorValue>;
  /** Immutable snapshot values, in insertion order. */
  snapshots: FactorSnapshotValue[];
  /** By user id. */
  clusters: Map<string, ClusterAssignment>;
  /** By experiment id. */
  experiments: Map<string, Experiment>;
  /** By `userId\0experimentId`. */
  assignments: Map<string, Assignment>;
  /** By `userId\0experimentId\0sessionId`. */
  exposures: Map<string, Exposure>;
  /** By threshold id. */
  thresholds: Map<string, GovernanceThreshold>;
  /** Metric versions by name, ascending. */
  metrics: Map<string, StoredMetric[]>;
  /** Metric plans by experiment id. */
  metricPlans: Map<string, ExperimentMetricPlan>;
  /** Append-only, in insertion order. */
  governanceLog: GovernanceLogEntry[];
  /** Versions by `name\0platform`, ascending. */
  specs: Map<string, StoredSpec[]>;
  /** Active version by `name\0platform`. */
  activeSpecs: Map<string, number>;
  /** Released statistics (what non-service roles read), in release order. */
  statisticsReleases: StatisticsRelease[];
  /** Cohorts of the published rows, for the release rules. Service-only data. */
  releasedCohorts: ReleasedCohort[];
  /** Published assigned sets per variant, for the release rules. Service-only data. */
  assignedCohorts: ReleasedAssignedCohort[];
  /** Released component aggregates (what non-service roles read), in release order. */
  aggregateReleases: AggregateRelease[];
  /** Cohorts of the published aggregates, for the release rules. Service-only data. */
  aggregateCohorts: ReleasedAggregateCohort[];
  /** The erasure audit log (no personal data), in append order. */
  erasures: ErasureRecord[];
  /** Store settings by name (the erasure salt). Service-only data. */
  settings: Map<string, string>;
  /** Pending erasure requests: `requestedAt` by user id. Service-only data. */
  erasureRequests: Map<string, string>;
}

/** One release of the component aggregates. */
export interface AggregateRelease {
  releasedAt: string;
  aggregates: ComponentFactorAggregate[];
}

/** One release of one (experiment, factor, path). */
export interface StatisticsRelease {
  experimentId: string;
  factor: string;
  path: string;
  releasedAt: string;
  rows: VariantSufficientStatistics[];
}

/** Joins key parts with a separator that cannot occur inside them. */
export function key(...parts: readonly (string | number)[]): string {
  return parts.join('\u0000');
}

function emptyTables(): MemoryTables {
  return {
    sessions: new Map(),
    events: new Map(),
    factors: new Map(),
    snapshots: [],
    clusters: new Map(),
    experiments: new Map(),
    assignments: new Map(),
    exposures: new Map(),
    thresholds: new Map(),
    metrics: new Map(),
    metricPlans: new Map(),
    governanceLog: [],
    specs: new Map(),
    activeSpecs: new Map(),
    statisticsReleases: [],
    releasedCohorts: [],
    assignedCohorts: [],
    aggregateReleases: [],
    aggregateCohorts: [],
    erasures: [],
    settings: new Map(),
    erasureRequests: new Map(),
  };
}

const MAP_TABLES = [
  'sessions',
  'events',
  'factors',
  'clusters',
  'experiments',
  'assignments',
  'exposures',
  'thresholds',
  'metrics',
  'metricPlans',
  'specs',
  'activeSpecs',
  'settings',
  'erasureRequests',
] as const satisfies readonly (keyof MemoryTables)[];
const LIST_TABLES = [
  'snapshots',
  'governanceLog',
  'statisticsReleases',
  'releasedCohorts',
  'assignedCohorts',
  'aggregateReleases',
  'aggregateCohorts',
  'erasures',
] as const satisfies readonly (keyof MemoryTables)[];

/** Options of {@link createMemoryDatabase}. */
export interface MemoryDatabaseOptions {
  /** Persist the tables here so data survives reloads (e.g. `localStorage`). */
  storage?: KVStorage;
  /** Key under which the tables are persisted. Default `factoredui:memory-store`. */
  storageKey?: string;
  /**
   * Writes within this many milliseconds are persisted together (default 200). Pending data
   * is also persisted at once when the page is hidden, and by {@link MemoryDatabase.flush}.
   */
  persistDelayMs?: number;
  /** Called when persisting fails (e.g. a full localStorage). Default: `console.warn`. */
  onPersistError?: (error: unknown) => void;
}

/**
 * The data behind one or more memory stores. Several stores (a user's, the service's) can share
 * one database, the way several Supabase clients share one project.
 */
export interface MemoryDatabase {
  /** Resolves once persisted data (if any) has been loaded. */
  readonly ready: Promise<void>;
  /** The tables. Mutate only inside {@link MemoryDatabase.write}. */
  readonly tables: MemoryTables;
  /**
   * Runs `mutate` against the tables, then schedules persistence and notifies subscribers of
   * `topic`. If `mutate` throws, nothing is persisted or announced.
   */
  write<T>(topic: StoreTopic, mutate: (tables: MemoryTables) => T, changeKey?: string): T;
  /** Calls `listener` after every committed write on `topic`. Returns an unsubscribe function. */
  subscribe(topic: StoreTopic, listener: (change: StoreChange) => void): () => void;
  /** Writes pending changes to storage now. */
  flush(): Promise<void>;
  /** Empties every table (and the persisted copy). */
  clear(): Promise<void>;
}

type SerializedTables = Partial<Record<keyof MemoryTables, unknown[]>>;

/** Creates an empty (or, with `storage`, reloaded) memory database. */
export function createMemoryDatabase(options: MemoryDatabaseOptions = {}): MemoryDatabase {
  const { storage, storageKey = 'factoredui:memory-store', persistDelayMs = 200 } = options;
  const tables = emptyTables();
  const listeners = new Map<StoreTopic, Set<(change: StoreChange) => void>>();

  const load = async () => {
    if (!storage) return;
    const raw = await storage.getItem(storageKey);
    if (!raw) return;
    let parsed: SerializedTables;
    try {
      parsed = JSON.parse(raw) as SerializedTables;
    } catch {
      // A corrupt copy must not brick the app: start empty and overwrite it on the next write.
      return;
    }
    for (const name of MAP_TABLES) {
      const rows = parsed[name];
      if (Array.isArray(rows))
        (tables[name] as Map<unknown, unknown>) = new Map(rows as [unknown, unknown][]);
    }
    for (const name of LIST_TABLES) {
      const rows = parsed[name];
      if (Array.isArray(rows)) (tables[name] as unknown[]) = rows;
    }
  };

  const save = async () => {
    if (!storage) return;
    const serialized: SerializedTables = {};
    for (const name of MAP_TABLES) serialized[name] = [...tables[name].entries()];
    for (const name of LIST_TABLES) serialized[name] = tables[name];
    await storage.setItem(storageKey, JSON.stringify(serialized));
  };

  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const saveNow = (): Promise<void> => {
    if (saveTimer !== undefined) clearTimeout(saveTimer);
    saveTimer = undefined;
    // Chain saves so an older serialization never lands after a newer one.
    inFlight = inFlight.then(save).catch((error: unknown) => {
      if (options.onPersistError) options.onPersistError(error);
      else console.warn('[factoredui] store-memory could not persist its data:', error);
    });
    return inFlight;
  };

  const scheduleSave = () => {
    if (!storage || saveTimer !== undefined) return;
    // Serializing the whole database costs O(data): coalesce a burst of writes into one save.
    saveTimer = setTimeout(saveNow, persistDelayMs);
  };

  if (storage && typeof window !== 'undefined' && typeof document !== 'undefined') {
    // A page that is hidden may never run again: persist what is pending right away.
    const flushIfPending = () => {
      if (saveTimer !== undefined) void saveNow();
    };
    window.addEventListener('pagehide', flushIfPending);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') flushIfPending();
    });
  }

  const ready = load();

  return {
    ready,
    tables,
    write(topic, mutate, changeKey) {
      const result = mutate(tables);
      scheduleSave();
      const change: StoreChange = changeKey === undefined ? { topic } : { topic, key: changeKey };
      for (const listener of listeners.get(topic) ?? []) {
        queueMicrotask(() => listener(change));
      }
      return result;
    },
    subscribe(topic, listener) {
      let set = listeners.get(topic);
      if (!set) {
        set = new Set();
        listeners.set(topic, set);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
    async flush() {
      await ready;
      await saveNow();
    },
    async clear() {
      await ready;
      const fresh = emptyTables();
      for (const name of MAP_TABLES) (tables[name] as Map<unknown, unknown>).clear();
      tables.snapshots = fresh.snapshots;
      tables.governanceLog = fresh.governanceLog;
      tables.statisticsReleases = fresh.statisticsReleases;
      tables.releasedCohorts = fresh.releasedCohorts;
      tables.assignedCohorts = fresh.assignedCohorts;
      tables.aggregateReleases = fresh.aggregateReleases;
      tables.aggregateCohorts = fresh.aggregateCohorts;
      tables.erasures = fresh.erasures;
      if (saveTimer !== undefined) clearTimeout(saveTimer);
      saveTimer = undefined;
      await inFlight;
      if (storage) await storage.removeItem(storageKey);
    },
  };
}
