import {
  createEventQueue,
  createMemoryKVStorage,
  createQueuePersistence,
  isQuotaError,
  type KVStorage,
  type QueuedEvent,
  readPersistedQueue,
  removePersistedQueue,
} from '@factoredui/core';
import { describe, expect, it } from 'vitest';
import { createQuotaStorage } from './sim.js';

let n = 0;
const event = (): QueuedEvent => {
  n += 1;
  return {
    id: `019b8d99-0000-7000-8000-${String(n).padStart(12, '0')}`,
    sessionId: '0b8f5a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
    type: 'click',
    path: 'a/b',
    payload: { n },
    createdAt: '2026-01-05T10:00:00.000Z',
  };
};
const SESSIONS = [
  {
    id: '0b8f5a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
    startedAt: '2026-01-05T10:00:00.000Z',
    metadata: { platform: 'web' },
  },
];

function setup(storage: KVStorage = createMemoryKVStorage()) {
  const queue = createEventQueue({ maxEvents: 1000, maxChars: 1e9 });
  const persistence = createQueuePersistence(storage, 'q:tab');
  const commit = (dropped = 0) => {
    queue.measure();
    return persistence.commit({
      ...queue.takeChanges(),
      has: (id) => queue.has(id),
      sessions: SESSIONS,
      dropped,
    });
  };
  return { storage, queue, persistence, commit };
}

/** Wraps a storage to record every write. */
function recording(inner: KVStorage) {
  const writes: string[] = [];
  const storage: KVStorage = {
    getItem: (key) => inner.getItem(key),
    setItem: (key, value) => {
      writes.push(`set ${key} ${value.length}`);
      return inner.setItem(key, value);
    },
    removeItem: (key) => {
      writes.push(`remove ${key}`);
      return inner.removeItem(key);
    },
  };
  return { storage, writes };
}

describe('queue persistence', () => {
  it('writes only what is new per commit, and removes written chunks', async () => {
    const { storage, writes } = recording(createMemoryKVStorage());
    const { queue, commit } = setup(storage);
    const a = [queue.push(event()), queue.push(event())];
    await commit();
    expect(writes.map((w) => w.split(' ').slice(0, 2).join(' '))).toEqual([
      'set q:tab:0',
      'set q:tab',
    ]);
    writes.length = 0;
    queue.push(event());
    await commit();
    // The first chunk is not rewritten: one new chunk, then the manifest.
    expect(writes.map((w) => w.split(' ')[1])).toEqual(['q:tab:1', 'q:tab']);
    writes.length = 0;
    queue.remove(new Set(a.map((e) => e.event.id)));
    await commit();
    expect(writes.map((w) => w.split(' ').slice(0, 2).join(' '))).toEqual([
      'remove q:tab:0',
      'set q:tab',
    ]);
    const read = await readPersistedQueue(storage, 'q:tab');
    expect(read?.events.map((e) => e.id)).toEqual(queue.entries().map((e) => e.event.id));
    expect(read?.sessions).toEqual(SESSIONS);
  });

  it('finds a chunk written after the manifest’s last update (a crash between the two writes)', async () => {
    const { storage, queue, commit } = setup();
    queue.push(event());
    await commit(3);
    const orphan = event();
    await storage.setItem('q:tab:1', JSON.stringify([orphan]));
    const read = await readPersistedQueue(storage, 'q:tab');
    expect(read?.events.map((e) => e.id)).toEqual([queue.entries()[0]!.event.id, orphan.id]);
    expect(read?.dropped).toBe(3);
    await removePersistedQueue(storage, 'q:tab');
    expect([...(storage as ReturnType<typeof createMemoryKVStorage>).data.keys()]).toEqual([]);
  });

  it('reports a full storage with the exact number of events it does not hold', async () => {
    const storage = createQuotaStorage(600);
    const { queue, commit } = setup(storage);
    queue.push(event());
    expect((await commit()).ok).toBe(true);
    for (let i = 0; i < 5; i += 1) queue.push(event());
    const result = await commit();
    expect(result).toMatchObject({ ok: false, unpersisted: 5 });
    expect(isQuotaError(result.error)).toBe(true);
    expect(result.storedChars).toBeGreaterThan(0);
    // Nothing stored was damaged: the first event still reads back.
    const read = await readPersistedQueue(storage, 'q:tab');
    expect(read?.events.map((e) => e.id)).toEqual([queue.entries()[0]!.event.id]);
  });

  it('works over an asynchronous storage (React Native AsyncStorage)', async () => {
    const backing = createMemoryKVStorage();
    const asyncStorage: KVStorage = {
      getItem: async (key) => backing.getItem(key),
      setItem: async (key, value) => backing.setItem(key, value),
      removeItem: async (key) => backing.removeItem(key),
    };
    const { queue, commit, persistence } = setup(asyncStorage);
    queue.push(event());
    queue.push(event());
    expect((await commit()).ok).toBe(true);
    const read = await readPersistedQueue(asyncStorage, 'q:tab');
    expect(read?.events).toHaveLength(2);
    await persistence.clear();
    expect([...backing.data.keys()]).toEqual([]);
  });

  it('reads the single-key queue of 0.x writers and ignores garbage', async () => {
    const legacy = { v: 1, events: [event()], sessions: SESSIONS, dropped: 2 };
    const storage = createMemoryKVStorage({ old: JSON.stringify(legacy), junk: '{"v":2,' });
    expect(await readPersistedQueue(storage, 'old')).toEqual({
      events: legacy.events,
      sessions: SESSIONS,
      dropped: 2,
    });
    expect(await readPersistedQueue(storage, 'junk')).toBeNull();
    expect(await readPersistedQueue(storage, 'missing')).toBeNull();
  });
});
