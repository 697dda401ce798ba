/**
 * A small simulation kit for the durable-capture tests and the fault-injection benchmark:
 * virtual time whose timers belong to "tabs" that can crash, Web Locks shared by those tabs
 * (a crash releases them, as a browser does), a storage with a quota, and a store whose calls
 * fail, hang, or land without an answer on command.
 */
import {
  type CaptureLocks,
  type CaptureStore,
  type CaptureTimers,
  DEFAULT_QUEUE_STORAGE_KEY,
  FactoredError,
  type FactoredEvent,
  type KVStorage,
  type QueuedEvent,
  readPersistedQueue,
} from '../../src/index.js';

interface Timer {
  at: number;
  seq: number;
  run: () => void;
  owner: Tab;
}

interface Tab {
  dead: boolean;
}

/** Virtual time: timers fire only when {@link VirtualTime.advance} moves the clock. */
export interface VirtualTime {
  now(): number;
  /** Timers of one tab; {@link kill} makes them never fire again (a crash). */
  timers(): CaptureTimers & { kill(): void };
  /** Moves the clock by `ms`, firing due timers in order and letting promises settle between. */
  advance(ms: number): Promise<void>;
}

/** Lets every queued promise callback run (storage and store calls in the kit resolve at once). */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await Promise.resolve();
  await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Creates a {@link VirtualTime} starting at `start` (epoch ms). */
export function createVirtualTime(start = Date.parse('2026-01-05T10:00:00.000Z')): VirtualTime {
  let clock = start;
  let seq = 0;
  const pending = new Set<Timer>();
  return {
    now: () => clock,
    timers() {
      const tab: Tab = { dead: false };
      return {
        setTimeout(run, ms) {
          const timer: Timer = { at: clock + Math.max(0, ms), seq: seq++, run, owner: tab };
          pending.add(timer);
          return timer;
        },
        clearTimeout(handle) {
          pending.delete(handle as Timer);
        },
        kill() {
          tab.dead = true;
          for (const timer of pending) if (timer.owner === tab) pending.delete(timer);
        },
      };
    },
    async advance(ms) {
      const end = clock + ms;
      await settle();
      for (;;) {
        let next: Timer | null = null;
        for (const timer of pending)
          if (
            timer.at <= end &&
            (!next || timer.at < next.at || (timer.at === next.at && timer.seq < next.seq))
          )
            next = timer;
        if (!next) break;
        pending.delete(next);
        clock = Math.max(clock, next.at);
        if (!next.owner.dead) next.run();
        await settle();
      }
      clock = end;
      await settle();
    },
  };
}

/** Web Locks shared by several tabs; a tab's crash releases what it held. */
export function createSharedLocks() {
  const held = new Map<string, symbol>();
  const waiters = new Map<string, (() => void)[]>();
  const release = (name: string, token: symbol) => {
    if (held.get(name) !== token) return;
    held.delete(name);
    waiters.get(name)?.shift()?.();
  };
  return {
    /** The locks of one tab. */
    forTab(): CaptureLocks & { crash(): void } {
      const mine = new Map<string, symbol>();
      let crashed = false;
      return {
        async request(name, options, callback) {
          if (held.has(name)) {
            if (options.ifAvailable) return callback(null);
            await new Promise<void>((resolve) => {
              const list = waiters.get(name) ?? [];
              list.push(resolve);
              waiters.set(name, list);
            });
          }
          const token = Symbol(name);
          held.set(name, token);
          mine.set(name, token);
          try {
            return await callback({ name });
          } finally {
            if (!crashed) {
              mine.delete(name);
              release(name, token);
            }
          }
        },
        crash() {
          crashed = true;
          for (const [name, token] of mine) release(name, token);
          mine.clear();
        },
      };
    },
  };
}

/** A synchronous storage (like `localStorage`) that throws `QuotaExceededError` past `quotaChars`. */
export function createQuotaStorage(quotaChars = Number.POSITIVE_INFINITY) {
  const data = new Map<string, string>();
  let used = 0;
  const size = (key: string, value: string) => key.length + value.length;
  const storage: KVStorage & { data: Map<string, string>; used(): number } = {
    data,
    used: () => used,
    getItem: (key) => data.get(key) ?? null,
    setItem(key, value) {
      const old = data.get(key);
      const next = used - (old === undefined ? 0 : size(key, old)) + size(key, value);
      if (next > quotaChars) {
        const error = new Error(`Setting ${key} exceeded the quota.`);
        error.name = 'QuotaExceededError';
        throw error;
      }
      data.set(key, value);
      used = next;
    },
    removeItem(key) {
      const old = data.get(key);
      if (old === undefined) return;
      data.delete(key);
      used -= size(key, old);
    },
  };
  return storage;
}

/** What the next `insertEvents` calls of a {@link createFaultyStore} do. */
export interface Faults {
  /** Probability that a call fails before writing. */
  failRate: number;
  /** Probability that a call writes and then fails (a lost answer, a timeout after the write). */
  loseAnswerRate: number;
  /** Probability that a call writes only a prefix of its batch and then fails. */
  partialRate: number;
  /** Calls that never settle (nothing written). */
  hangNext: number;
  /** Every call fails (the store is offline). */
  offline: boolean;
}

/**
 * A store that keeps rows by id (so duplicates are visible: `writes` counts every row written,
 * `rows` each id once) and fails as `faults` say. Draws from `random`.
 */
export function createFaultyStore(random: () => number, userId = 'sim-user') {
  const rows = new Map<string, FactoredEvent>();
  const sessions = new Set<string>();
  const faults: Faults = {
    failRate: 0,
    loseAnswerRate: 0,
    partialRate: 0,
    hangNext: 0,
    offline: false,
  };
  const stats = { calls: 0, rowWrites: 0, duplicateWrites: 0 };
  const down = () => new FactoredError('unavailable', 'simulated outage');
  const put = (events: readonly FactoredEvent[]) => {
    for (const event of events) {
      stats.rowWrites += 1;
      if (rows.has(event.id)) stats.duplicateWrites += 1;
      else rows.set(event.id, event);
    }
  };
  const store: CaptureStore = {
    getIdentity: async () => {
      if (faults.offline) throw down();
      return { role: 'user', userId };
    },
    startSession: async (session) => {
      if (faults.offline) throw down();
      sessions.add(session.id);
      return { ...session };
    },
    insertEvents: (events) => {
      stats.calls += 1;
      if (faults.hangNext > 0) {
        faults.hangNext -= 1;
        return new Promise(() => {});
      }
      if (faults.offline || random() < faults.failRate) return Promise.reject(down());
      if (events.some((event) => !sessions.has(event.sessionId)))
        return Promise.reject(new FactoredError('not_found', 'unknown session'));
      if (random() < faults.partialRate) {
        put(events.slice(0, Math.floor(random() * events.length)));
        return Promise.reject(down());
      }
      put(events);
      if (random() < faults.loseAnswerRate) return Promise.reject(down());
      return Promise.resolve({ inserted: events.length, duplicates: 0 });
    },
  };
  return { store, rows, faults, stats };
}

/** A seeded PRNG (mulberry32), so every run of a scenario is the same. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every event persisted under `prefix` by any tab listed in the registry, oldest tab first. */
export async function persistedEvents(
  storage: KVStorage,
  prefix = DEFAULT_QUEUE_STORAGE_KEY,
): Promise<QueuedEvent[]> {
  const tabs = JSON.parse(((await storage.getItem(`${prefix}:tabs`)) as string | null) ?? '[]');
  const events: QueuedEvent[] = [];
  for (const id of tabs as string[])
    events.push(...((await readPersistedQueue(storage, `${prefix}:${id}`))?.events ?? []));
  return events;
}
