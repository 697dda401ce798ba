import type { KVStorage } from '../util/kv.js';
import type { QueuedEvent, QueueEntry } from './queue.js';
import { parseJson } from './storage.js';
import type { SessionRecord } from './types.js';

/** What a tab's persisted queue holds. */
export interface PersistedQueue {
  /** Oldest first. */
  events: QueuedEvent[];
  /** Records of the sessions the events belong to. */
  sessions: SessionRecord[];
  /** Events dropped (oldest first) by the queue's bounds, counted across reloads. */
  dropped: number;
}

/**
 * The manifest of a tab's queue, at `key`. The events live in chunk keys `key:<seq>`, one per
 * commit, so a commit writes only what is new (O(new events), not O(queue)).
 */
interface Manifest {
  v: 2;
  /** Sequence numbers of the chunks that hold events. */
  chunks: number[];
  /** The next chunk's sequence number; chunks at and after it are probed on read. */
  next: number;
  sessions: SessionRecord[];
  dropped: number;
}

/** The single-key format of 0.x writers (`factoredui:capture-queue`). */
interface LegacyQueue {
  v: 1;
  events: QueuedEvent[];
  sessions?: SessionRecord[];
  dropped?: number;
}

const chunkKey = (key: string, seq: number) => `${key}:${seq}`;
const jsonOf = (entry: QueueEntry) => entry.json ?? JSON.stringify(entry.event);
const serialize = (entries: readonly QueueEntry[]) => `[${entries.map(jsonOf).join(',')}]`;

/** True for the storage-full errors of browsers (`QuotaExceededError`) and most KV stores. */
export function isQuotaError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code, message } = error as { name?: unknown; code?: unknown; message?: unknown };
  return (
    name === 'QuotaExceededError' ||
    name === 'NS_ERROR_DOM_QUOTA_REACHED' ||
    code === 22 ||
    code === 1014 ||
    (typeof message === 'string' && /quota|storage.*full|exceed/i.test(message))
  );
}

function isManifest(value: unknown): value is Manifest {
  const m = value as Partial<Manifest> | undefined;
  return m?.v === 2 && Array.isArray(m.chunks) && typeof m.next === 'number';
}

function isLegacy(value: unknown): value is LegacyQueue {
  const m = value as Partial<LegacyQueue> | undefined;
  return m?.v === 1 && Array.isArray(m.events);
}

/** Awaits the result of a storage call, synchronous or not. */
const settle = <T>(value: T | Promise<T>): Promise<T> => Promise.resolve(value);

/**
 * Reads the queue persisted at `key` (a tab's manifest and its chunks, or a 0.x single-key
 * queue), or `null` when there is none. Chunks written after the manifest's last update (a
 * crash between the two writes) are found by probing past `next`.
 */
export async function readPersistedQueue(
  storage: KVStorage,
  key: string,
): Promise<PersistedQueue | null> {
  const root = parseJson(await settle(storage.getItem(key)));
  if (isLegacy(root)) {
    return {
      events: root.events,
      sessions: Array.isArray(root.sessions) ? root.sessions : [],
      dropped: typeof root.dropped === 'number' ? root.dropped : 0,
    };
  }
  if (!isManifest(root)) return null;
  const events: QueuedEvent[] = [];
  const read = async (seq: number) => {
    const chunk = parseJson(await settle(storage.getItem(chunkKey(key, seq))));
    if (!Array.isArray(chunk)) return false;
    for (const event of chunk) events.push(event as QueuedEvent);
    return true;
  };
  for (const seq of [...root.chunks].sort((a, b) => a - b)) await read(seq);
  for (let seq = root.next; await read(seq); seq += 1);
  // Chunks follow commit order; adopted (older) events can sit in a later chunk. UUIDv7 ids
  // sort by creation time.
  events.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    events,
    sessions: Array.isArray(root.sessions) ? root.sessions : [],
    dropped: typeof root.dropped === 'number' ? root.dropped : 0,
  };
}

/**
 * Removes the queue persisted at `key` (manifest and every chunk). Chunks go first, so a crash
 * halfway leaves a manifest whose missing chunks read as empty, never chunks without a
 * manifest.
 */
export async function removePersistedQueue(storage: KVStorage, key: string): Promise<void> {
  const root = parseJson(await settle(storage.getItem(key)));
  if (isManifest(root)) {
    for (const seq of root.chunks) await settle(storage.removeItem(chunkKey(key, seq)));
    for (let seq = root.next; ; seq += 1) {
      if ((await settle(storage.getItem(chunkKey(key, seq)))) === null) break;
      await settle(storage.removeItem(chunkKey(key, seq)));
    }
  }
  await settle(storage.removeItem(key));
}

/**
 * What changed in the queue since the last commit: what a {@link QueuePersistence} is asked to
 * make durable. Commits cost O(changes), not O(queue).
 */
export interface QueueSnapshot {
  /** Entries pushed or restored since the last commit. */
  added: readonly QueueEntry[];
  /** Ids that left the queue since the last commit (written, dropped or given up). */
  removed: Iterable<string>;
  /** Whether an id is queued now. */
  has(id: string): boolean;
  /** Records of the sessions the queue may refer to. */
  sessions: SessionRecord[];
  dropped: number;
}

/** Outcome of {@link QueuePersistence.commit}. */
export interface CommitResult {
  /** True when storage now holds exactly the queue. */
  ok: boolean;
  /** Queued events storage does not hold (0 when `ok`). */
  unpersisted: number;
  /** The first storage error, when not `ok`. */
  error?: unknown;
  /** Characters of events storage holds for this queue after the commit. */
  storedChars: number;
}

/**
 * One tab's queue in storage, written incrementally: each commit removes the chunks whose
 * events are all gone, rewrites chunks that lost some, writes the new events as one new chunk
 * and then the manifest. What a failed commit could not write is retried by the next one.
 * Commits must not overlap (the caller serializes them).
 */
export interface QueuePersistence {
  /** The manifest key. */
  readonly key: string;
  /** Applies `changes` to storage. Never rejects; failures are in the result. */
  commit(changes: QueueSnapshot): Promise<CommitResult>;
  /** Removes everything this tab stored. */
  clear(): Promise<void>;
}

/** Creates the {@link QueuePersistence} of the queue at `key`. */
export function createQueuePersistence(storage: KVStorage, key: string): QueuePersistence {
  /** Chunks this instance wrote and still holds, by sequence number. */
  const chunks = new Map<number, QueueEntry[]>();
  /** The chunk of every event storage holds. */
  const seqOf = new Map<string, number>();
  /** Chunks holding events that left the queue. */
  const dirty = new Set<number>();
  /** Added events not yet written (a failed commit). */
  let pending: QueueEntry[] = [];
  let next = 0;
  let chars = 0;
  let manifest = '';

  return {
    key,
    async commit(changes) {
      let error: unknown;
      let failed = false;
      const attempt = async (run: () => void | Promise<void>) => {
        try {
          await settle(run());
          return true;
        } catch (e) {
          if (!failed) error = e;
          failed = true;
          return false;
        }
      };

      // 1. Chunks whose events left the queue: removed or rewritten with what is left.
      for (const id of changes.removed) {
        const seq = seqOf.get(id);
        if (seq === undefined) continue;
        seqOf.delete(id);
        dirty.add(seq);
      }
      for (const seq of [...dirty]) {
        const entries = chunks.get(seq) ?? [];
        const left = entries.filter((entry) => seqOf.get(entry.event.id) === seq);
        const ok = await attempt(() =>
          left.length === 0
            ? storage.removeItem(chunkKey(key, seq))
            : storage.setItem(chunkKey(key, seq), serialize(left)),
        );
        // A failed rewrite keeps the old chunk until the next commit: its extra events are
        // already stored (the store skips them), so nothing is lost.
        if (!ok) continue;
        dirty.delete(seq);
        for (const entry of entries) if (!left.includes(entry)) chars -= jsonOf(entry).length;
        if (left.length === 0) chunks.delete(seq);
        else chunks.set(seq, left);
      }

      // 2. New events: one chunk.
      pending = pending
        .concat(changes.added)
        .filter((entry) => changes.has(entry.event.id) && !seqOf.has(entry.event.id));
      if (pending.length > 0) {
        const seq = next;
        const fresh = pending;
        if (await attempt(() => storage.setItem(chunkKey(key, seq), serialize(fresh)))) {
          next += 1;
          chunks.set(seq, fresh);
          for (const entry of fresh) {
            seqOf.set(entry.event.id, seq);
            chars += jsonOf(entry).length;
          }
          pending = [];
        }
      }

      // 3. The manifest, when it changed.
      const body: Manifest = {
        v: 2,
        chunks: [...chunks.keys()],
        next,
        sessions: changes.sessions,
        dropped: changes.dropped,
      };
      const json = JSON.stringify(body);
      if (json !== manifest && (await attempt(() => storage.setItem(key, json)))) manifest = json;
      return failed
        ? { ok: false, unpersisted: pending.length, error, storedChars: chars }
        : { ok: true, unpersisted: 0, storedChars: chars };
    },
    async clear() {
      for (const seq of chunks.keys()) await settle(storage.removeItem(chunkKey(key, seq)));
      chunks.clear();
      seqOf.clear();
      dirty.clear();
      pending = [];
      chars = 0;
      manifest = '';
      await settle(storage.removeItem(key));
    },
  };
}
