import {
  createEventQueue,
  createQueueKeeper,
  type PersistedQueue,
  type QueuedEvent,
  type QueueEntry,
  readPersistedQueue,
} from '@factoredui/core';
import { describe, expect, it } from 'vitest';
import { createQuotaStorage, createVirtualTime, persistedEvents } from './sim.js';

let n = 0;
const event = (payload: Record<string, string> = {}): QueuedEvent => {
  n += 1;
  return {
    id: `019b8d99-0000-7000-8000-${String(n).padStart(12, '0')}`,
    sessionId: '0b8f5a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
    type: 'click',
    path: 'a/b',
    payload,
    createdAt: '2026-01-05T10:00:00.000Z',
  };
};

function setup(storage = createQuotaStorage(), maxChars = 1e9) {
  const time = createVirtualTime();
  const queue = createEventQueue({ maxEvents: 1000, maxChars });
  const dropped: QueueEntry[] = [];
  const adopted: PersistedQueue[] = [];
  const keeper = createQueueKeeper({
    storage,
    prefix: 'q',
    locks: null,
    leaseMs: 10_000,
    adoptIntervalMs: 5000,
    persistDelayMs: 100,
    now: time.now,
    timers: time.timers(),
    queue,
    meta: () => ({ sessions: [], dropped: dropped.length }),
    mayDropToFit: () => true,
    onDropped: (entries) => dropped.push(...entries),
    onAdopt: (found) => {
      adopted.push(found);
      queue.restore(found.events);
    },
    onError: () => {},
  });
  return { time, queue, keeper, dropped, adopted, storage };
}

describe('queue keeper', () => {
  it('commits within persistDelayMs and applies the byte bound as it serializes', async () => {
    const { time, queue, keeper, dropped, storage } = setup(undefined, 300);
    await keeper.ready;
    for (let i = 0; i < 5; i += 1) queue.push(event({ p: 'x'.repeat(50) }));
    keeper.schedule();
    await time.advance(99);
    expect(await persistedEvents(storage, 'q')).toEqual([]);
    await time.advance(1);
    expect(dropped.length).toBeGreaterThan(0);
    expect(queue.chars).toBeLessThanOrEqual(300);
    expect((await persistedEvents(storage, 'q')).map((e) => e.id)).toEqual(
      queue.entries().map((e) => e.event.id),
    );
  });

  it('adopts a queue left behind at start, and removes its own on an empty close', async () => {
    const storage = createQuotaStorage();
    const first = setup(storage);
    await first.keeper.ready;
    const left = first.queue.push(event()).event;
    await first.keeper.close(() => false); // events left: stays listed for the next tab
    const second = setup(storage);
    await second.keeper.ready;
    expect(second.adopted.map((q) => q.events.map((e) => e.id))).toEqual([[left.id]]);
    second.queue.remove(new Set([left.id]));
    await second.keeper.close(() => second.queue.length === 0);
    expect([...storage.data.keys()]).toEqual([]);
    expect(await readPersistedQueue(storage, 'q')).toBeNull();
  });
});
