import type { FactoredEvent } from './types.js';

/** A queued event: a {@link FactoredEvent} whose user is attached when it is written. */
export type QueuedEvent = Omit<FactoredEvent, 'userId'>;

/**
 * A queued event with its serialized form. Serializing is deferred off the enqueue path:
 * `json` is filled by {@link EventQueue.measure} (which persistence and the byte bound call),
 * once per event.
 */
export interface QueueEntry {
  readonly event: QueuedEvent;
  /** `JSON.stringify(event)` once measured; its length is what the byte bound counts. */
  json: string | undefined;
}

/** Bounds of an {@link EventQueue}. */
export interface EventQueueLimits {
  /** Most events held. */
  maxEvents: number;
  /** Most characters of serialized events held (UTF-16 code units, as storages count them). */
  maxChars: number;
}

/**
 * The in-memory event queue of a writer: oldest first, bounded by count and by serialized
 * size, aware of which events a write is carrying (those are never handed out twice at once
 * and never dropped). It does no I/O.
 */
export interface EventQueue {
  /** Events held, including those a write is carrying. */
  readonly length: number;
  /** Serialized characters held (of the events measured so far). */
  readonly chars: number;
  /** Events a write is carrying. */
  readonly inFlight: number;
  /** Appends a new event, O(1): it is serialized later, by {@link measure}. */
  push(event: QueuedEvent): QueueEntry;
  /** Serializes the events pushed since the last call, so `chars` and `json` are current. */
  measure(): void;
  /**
   * Adds events read back from storage or adopted from another tab, in front of what is
   * queued (they are older), skipping ids already held. Returns the entries added.
   */
  restore(events: readonly QueuedEvent[]): QueueEntry[];
  /** Whether an event with this id is held. */
  has(id: string): boolean;
  /**
   * What changed since the last call: entries pushed or restored, ids that left. Persistence
   * commits these, so a commit costs O(changes).
   */
  takeChanges(): { added: QueueEntry[]; removed: string[] };
  /** Every entry, oldest first. Do not mutate. */
  entries(): readonly QueueEntry[];
  /**
   * The oldest entries no write is carrying: at most `limit`, and at most `maxChars` unless one
   * alone is larger (measuring them when `maxChars` is given).
   */
  nextBatch(limit: number, maxChars?: number): QueueEntry[];
  /** Marks ids as carried by a write, or releases them. */
  setInFlight(ids: Iterable<string>, carried: boolean): void;
  /** Removes the events with these ids (written or given up); returns how many were held. */
  remove(ids: ReadonlySet<string>): number;
  /**
   * Drops the oldest events no write is carrying until the queue fits its bounds, or until
   * `maxChars` when given (a tighter bound, e.g. what storage could hold). Returns the dropped
   * entries.
   */
  trim(maxChars?: number): QueueEntry[];
}

/** Creates an {@link EventQueue}. */
export function createEventQueue(limits: EventQueueLimits): EventQueue {
  let items: QueueEntry[] = [];
  const ids = new Set<string>();
  const carried = new Set<string>();
  let chars = 0;
  /** Pushed and not yet measured nor indexed: every operation but `push` measures first. */
  let unmeasured: QueueEntry[] = [];
  let added: QueueEntry[] = [];
  let removed: string[] = [];

  const sizeOf = (entry: QueueEntry) => entry.json?.length ?? 0;
  const measureEntry = (entry: QueueEntry) => {
    if (entry.json !== undefined) return;
    entry.json = JSON.stringify(entry.event);
    chars += entry.json.length;
  };
  const measure = () => {
    if (unmeasured.length === 0) return;
    for (const entry of unmeasured) {
      measureEntry(entry);
      ids.add(entry.event.id);
    }
    unmeasured = [];
  };

  const keep = (kept: QueueEntry[]) => {
    items = kept;
    chars = 0;
    ids.clear();
    for (const entry of kept) {
      chars += sizeOf(entry);
      ids.add(entry.event.id);
    }
  };

  return {
    get length() {
      return items.length;
    },
    get chars() {
      return chars;
    },
    get inFlight() {
      return carried.size;
    },
    push(event) {
      const entry: QueueEntry = { event, json: undefined };
      items.push(entry);
      unmeasured.push(entry);
      added.push(entry);
      return entry;
    },
    measure,
    restore(events) {
      measure();
      const restored: QueueEntry[] = [];
      for (const event of events) {
        if (ids.has(event.id)) continue;
        const entry: QueueEntry = { event, json: undefined };
        measureEntry(entry);
        ids.add(event.id);
        restored.push(entry);
      }
      if (restored.length > 0) {
        items = restored.concat(items);
        added.push(...restored);
      }
      return restored;
    },
    has(id) {
      measure();
      return ids.has(id);
    },
    takeChanges() {
      const changes = { added, removed };
      added = [];
      removed = [];
      return changes;
    },
    entries: () => items,
    nextBatch(limit, maxChars = Number.POSITIVE_INFINITY) {
      const batch: QueueEntry[] = [];
      let size = 0;
      const bounded = maxChars < Number.POSITIVE_INFINITY;
      for (const entry of items) {
        if (batch.length === limit) break;
        if (carried.has(entry.event.id)) continue;
        if (bounded) measureEntry(entry);
        size += sizeOf(entry);
        if (size > maxChars && batch.length > 0) break;
        batch.push(entry);
      }
      return batch;
    },
    setInFlight(list, isCarried) {
      for (const id of list) {
        if (isCarried) carried.add(id);
        else carried.delete(id);
      }
    },
    remove(gone) {
      measure();
      // Batches come from the head of the queue: usually a cheap splice, a filter otherwise.
      let head = 0;
      while (head < items.length && gone.has((items[head] as QueueEntry).event.id)) head += 1;
      let count = head;
      if (head === gone.size || head === items.length) {
        for (const entry of items.splice(0, head)) {
          ids.delete(entry.event.id);
          chars -= sizeOf(entry);
          removed.push(entry.event.id);
        }
      } else {
        const before = items.length;
        for (const entry of items) if (gone.has(entry.event.id)) removed.push(entry.event.id);
        keep(items.filter((entry) => !gone.has(entry.event.id)));
        count = before - items.length;
      }
      return count;
    },
    trim(maxChars = limits.maxChars) {
      measure();
      const charLimit = Math.min(maxChars, limits.maxChars);
      let excessEvents = items.length - limits.maxEvents;
      let excessChars = chars - charLimit;
      if (excessEvents <= 0 && excessChars <= 0) return [];
      const dropped: QueueEntry[] = [];
      const kept: QueueEntry[] = [];
      for (const entry of items) {
        if ((excessEvents > 0 || excessChars > 0) && !carried.has(entry.event.id)) {
          excessEvents -= 1;
          excessChars -= sizeOf(entry);
          dropped.push(entry);
        } else kept.push(entry);
      }
      if (dropped.length > 0) {
        keep(kept);
        for (const entry of dropped) removed.push(entry.event.id);
      }
      return dropped;
    },
  };
}
