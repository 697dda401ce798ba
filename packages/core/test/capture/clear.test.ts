import {
  clearPersistedCapture,
  createEventWriter,
  createSessionManager,
  DEFAULT_QUEUE_STORAGE_KEY,
  type SessionRecord,
} from '@factoredui/core';
import { describe, expect, it } from 'vitest';
import { createFaultyStore, createQuotaStorage, createVirtualTime, seededRandom } from './sim.js';

const session: SessionRecord = {
  id: '0b8f5a3e-1c2d-4e5f-8a9b-0c1d2e3f4a99',
  startedAt: '2026-01-05T10:00:00.000Z',
  metadata: { platform: 'web' },
};

describe('clearPersistedCapture (the device side of an erasure)', () => {
  it('removes every queue, lease, registry and session capture persisted; nothing is sent or adopted afterwards', async () => {
    const time = createVirtualTime();
    const storage = createQuotaStorage();
    const faulty = createFaultyStore(seededRandom(3));
    faulty.faults.offline = true;
    const open = () =>
      createEventWriter({
        store: faulty.store,
        storage,
        timers: time.timers(),
        now: time.now,
        random: () => 0.5,
      });
    // Two tabs leave queued events behind (the store was down); a 0.x queue is there too.
    for (const n of [1, 2]) {
      const writer = open();
      writer.startSession(session);
      for (let i = 0; i < 5 * n; i += 1) {
        writer.enqueue({ sessionId: session.id, type: 'click', path: `tab-${n}/item` });
      }
      await time.advance(200);
      await writer.close();
    }
    await storage.setItem(
      DEFAULT_QUEUE_STORAGE_KEY,
      JSON.stringify({ events: [], sessions: [], dropped: 0 }),
    );
    const sessions = createSessionManager({ storage, now: time.now });
    sessions.touch(time.now());
    await time.advance(200);
    expect([...storage.data.keys()].length).toBeGreaterThan(3);

    // The second tab adopted the first one's queue when it opened: its queue and the 0.x one.
    expect(await clearPersistedCapture(storage)).toEqual({ queues: 2 });
    expect([...storage.data.keys()]).toEqual([]);

    // A new tab finds nothing to adopt, and sends nothing of the old queues.
    faulty.faults.offline = false;
    const next = open();
    await next.ready;
    expect(next.getStats().adopted).toBe(0);
    expect(await next.flush()).toMatchObject({ written: 0 });
    expect(faulty.rows.size).toBe(0);
    await next.close();
    // Idempotent: clearing an empty storage removes nothing.
    expect(await clearPersistedCapture(storage)).toEqual({ queues: 0 });
  });
});
