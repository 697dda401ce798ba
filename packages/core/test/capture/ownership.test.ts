import { createMemoryKVStorage, createTabOwnership, type KVStorage } from '@factoredui/core';
import { describe, expect, it } from 'vitest';
import { createSharedLocks, createVirtualTime } from './sim.js';

function tab(
  id: string,
  storage: KVStorage,
  time: ReturnType<typeof createVirtualTime>,
  locks: ReturnType<typeof createSharedLocks> | null,
  onLost?: () => void,
) {
  const timers = time.timers();
  const myLocks = locks?.forTab() ?? null;
  const ownership = createTabOwnership({
    storage,
    prefix: 'q',
    tabId: id,
    locks: myLocks,
    leaseMs: 9000,
    now: time.now,
    timers,
    ...(onLost ? { onLost } : {}),
  });
  return {
    ownership,
    crash() {
      timers.kill();
      myLocks?.crash();
    },
  };
}

const adoptAll = async (ownership: ReturnType<typeof createTabOwnership>) => {
  const keys: string[] = [];
  await ownership.adoptDead(async (key) => {
    keys.push(key);
  });
  return keys;
};

describe('tab ownership', () => {
  for (const mode of ['Web Locks', 'lease'] as const) {
    it(`never adopts a live tab, adopts a crashed one exactly once (${mode})`, async () => {
      const storage = createMemoryKVStorage();
      const time = createVirtualTime();
      const locks = mode === 'Web Locks' ? createSharedLocks() : null;
      const a = tab('a', storage, time, locks);
      const b = tab('b', storage, time, locks);
      const c = tab('c', storage, time, locks);
      await Promise.all([a.ownership.ready, b.ownership.ready, c.ownership.ready]);
      expect(JSON.parse(storage.data.get('q:tabs')!)).toEqual(['a', 'b', 'c']);
      await time.advance(60_000); // heartbeats keep every lease alive
      expect(await adoptAll(b.ownership)).toEqual([]);
      a.crash();
      await time.advance(mode === 'lease' ? 9001 : 0);
      // b and c look at the same time: one of them takes a's queue.
      const [byB, byC] = await Promise.all([adoptAll(b.ownership), adoptAll(c.ownership)]);
      expect([...byB, ...byC]).toEqual(['q:a']);
      expect(JSON.parse(storage.data.get('q:tabs')!)).toEqual(['b', 'c']);
      expect(await adoptAll(c.ownership)).toEqual([]);
    });
  }

  it('a tab whose lease was taken while its timers were throttled learns it and steps back', async () => {
    const storage = createMemoryKVStorage();
    const time = createVirtualTime();
    let lost = 0;
    const a = tab('a', storage, time, null, () => {
      lost += 1;
    });
    const b = tab('b', storage, time, null);
    await Promise.all([a.ownership.ready, b.ownership.ready]);
    // a's heartbeat is late (a throttled background tab): b sees an expired lease.
    await storage.setItem('q:a:lease', JSON.stringify({ by: 'a', until: time.now() - 1 }));
    expect(await adoptAll(b.ownership)).toEqual(['q:a']);
    await time.advance(3000);
    expect(lost).toBe(1);
  });

  it('a clean release either unlists the tab or leaves its queue to adopt at once', async () => {
    const storage = createMemoryKVStorage();
    const time = createVirtualTime();
    const a = tab('a', storage, time, null);
    const b = tab('b', storage, time, null);
    const c = tab('c', storage, time, null);
    await Promise.all([a.ownership.ready, b.ownership.ready, c.ownership.ready]);
    await a.ownership.release(true);
    await b.ownership.release(false);
    expect(JSON.parse(storage.data.get('q:tabs')!)).toEqual(['b', 'c']);
    expect(await adoptAll(c.ownership)).toEqual(['q:b']);
  });
});

describe('tab ownership without usable locks', () => {
  it('still becomes ready (and reports why) when the lock request is refused', async () => {
    const storage = createMemoryKVStorage();
    const time = createVirtualTime();
    const errors: unknown[] = [];
    const refused = new Error('The request was denied.');
    const ownership = createTabOwnership({
      storage,
      prefix: 'q',
      tabId: 'a',
      locks: { request: () => Promise.reject(refused) },
      leaseMs: 9000,
      now: time.now,
      timers: time.timers(),
      onError: (error) => errors.push(error),
    });
    await ownership.ready;
    expect(errors).toContain(refused);
  });
});
