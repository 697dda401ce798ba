import { createMemoryKVStorage } from '@factoredui/core';
import { TEST_USERS, testUuid } from '@factoredui/core/testing';
import { createMemoryDatabase, createMemoryStore } from '@factoredui/store-memory';
import { afterEach, describe, expect, it, vi } from 'vitest';

const session = {
  id: testUuid(0x5e55, 1),
  userId: TEST_USERS.alice,
  startedAt: '2026-01-05T10:00:00.000Z',
  metadata: { platform: 'web' },
};

describe('memory database persistence', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('coalesces a burst of writes into one save, and a new database reloads it', async () => {
    vi.useFakeTimers();
    const kv = createMemoryKVStorage();
    const setItem = vi.spyOn(kv, 'setItem');
    const database = createMemoryDatabase({ storage: kv, persistDelayMs: 100 });
    const store = createMemoryStore({ database, userId: TEST_USERS.alice });
    await store.startSession(session);
    for (let i = 0; i < 20; i += 1) {
      await store.insertEvents([
        {
          id: testUuid(0xe7e7, i + 1),
          sessionId: session.id,
          userId: TEST_USERS.alice,
          type: 'click',
          path: 'shop/catalog/grid/card',
          payload: {},
          createdAt: new Date(Date.parse(session.startedAt) + i).toISOString(),
        },
      ]);
    }
    expect(setItem).not.toHaveBeenCalledWith('factoredui:memory-store', expect.anything());
    await vi.advanceTimersByTimeAsync(100);
    expect(setItem.mock.calls.filter(([key]) => key === 'factoredui:memory-store')).toHaveLength(1);

    const reloaded = createMemoryStore({
      database: createMemoryDatabase({ storage: kv }),
      userId: TEST_USERS.alice,
    });
    expect(await reloaded.listEvents()).toHaveLength(20);
  });

  it('flush() persists pending writes at once', async () => {
    const kv = createMemoryKVStorage();
    const database = createMemoryDatabase({ storage: kv, persistDelayMs: 60_000 });
    await createMemoryStore({ database, userId: TEST_USERS.alice }).startSession(session);
    expect(kv.data.has('factoredui:memory-store')).toBe(false);
    await database.flush();
    expect(kv.data.get('factoredui:memory-store')).toContain(session.id);
  });

  it('reports a failed save instead of throwing into the app', async () => {
    const errors: unknown[] = [];
    const kv = createMemoryKVStorage();
    kv.setItem = () => {
      throw new Error('QuotaExceededError');
    };
    const database = createMemoryDatabase({ storage: kv, onPersistError: (e) => errors.push(e) });
    await createMemoryStore({ database, userId: TEST_USERS.alice }).startSession(session);
    await database.flush();
    expect(errors).toHaveLength(1);
  });
});
