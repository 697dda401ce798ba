import {
  type CaptureStore,
  createEventWriter,
  createMemoryKVStorage,
  DEFAULT_QUEUE_STORAGE_KEY,
  DEFAULT_TRACK_PATH,
  type EventType,
  FactoredError,
  type FactoredEvent,
  type InsertEventsOptions,
  initCapture,
  type KVStorage,
  type SessionRecord,
} from '@factoredui/core';
import { createMemoryStore, type MemoryStore } from '@factoredui/store-memory';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { persistedEvents } from '../../core/test/capture/sim.js';

const USER = 'user-1';
const SESSION: SessionRecord = {
  id: '0b8f5a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
  startedAt: '2026-01-05T10:00:00.000Z',
  metadata: { platform: 'web', appVersion: '1.0.0' },
};

/** A store in front of a memory store whose writes can be made to fail or hang. */
function flakyStore(inner: MemoryStore) {
  const control = {
    /** Writes still to reject with `unavailable`. */
    failNext: 0,
    /** Writes still to store and then reject, as if the response was lost. */
    loseAckNext: 0,
    calls: [] as { ids: string[]; options: InsertEventsOptions | undefined }[],
    active: 0,
    maxActive: 0,
    /** When set, writes wait for it. */
    gate: null as Promise<void> | null,
  };
  const store: CaptureStore = {
    getIdentity: () => inner.getIdentity(),
    startSession: (session) => inner.startSession(session),
    async insertEvents(events: readonly FactoredEvent[], options?: InsertEventsOptions) {
      control.calls.push({ ids: events.map((e) => e.id), options });
      control.active += 1;
      control.maxActive = Math.max(control.maxActive, control.active);
      try {
        if (control.gate) await control.gate;
        if (control.failNext > 0) {
          control.failNext -= 1;
          throw new FactoredError('unavailable', 'the store is down');
        }
        const result = await inner.insertEvents(events);
        if (control.loseAckNext > 0) {
          control.loseAckNext -= 1;
          throw new FactoredError('unavailable', 'connection reset after the write');
        }
        return result;
      } finally {
        control.active -= 1;
      }
    },
  };
  return { store, control };
}

function enqueueMany(
  writer: ReturnType<typeof createEventWriter>,
  n: number,
  type: EventType = 'click',
) {
  return Array.from(
    { length: n },
    (_, i) =>
      writer.enqueue({ sessionId: SESSION.id, type, path: `shop/cart/item-${i}`, payload: { i } })
        .id,
  );
}

async function storedIds(store: MemoryStore): Promise<string[]> {
  return (await store.listEvents()).map((event) => event.id);
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse('2026-01-05T10:00:00.000Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

describe('event writer: failures and recovery', () => {
  it('delivers every event exactly once after the store rejects the first writes', async () => {
    const inner = createMemoryStore({ userId: USER });
    const { store, control } = flakyStore(inner);
    control.failNext = 3;
    control.loseAckNext = 1;
    const errors: unknown[] = [];
    const writer = createEventWriter({
      store,
      batchSize: 10,
      random: () => 0.5,
      onError: (error) => errors.push(error),
    });
    writer.startSession(SESSION);
    const ids = enqueueMany(writer, 25);

    const first = await writer.flush();
    expect(first.ok).toBe(false);
    expect(first.remaining).toBe(25);
    expect((first.error as FactoredError).code).toBe('unavailable');
    expect(writer.getStats()).toMatchObject({ failures: 1, queued: 25 });
    const retryAt = writer.getStats().nextRetryAt;
    expect(retryAt).not.toBeNull();

    // Backoff with jitter: retries are scheduled automatically and the delay grows.
    const delays: number[] = [retryAt! - Date.now()];
    for (let i = 0; i < 20 && writer.getStats().queued > 0; i += 1) {
      const before = writer.getStats().nextRetryAt;
      await vi.advanceTimersByTimeAsync(Math.max(0, (before ?? Date.now()) - Date.now()) + 1);
      const after = writer.getStats().nextRetryAt;
      if (after !== null && after !== before) delays.push(after - Date.now());
    }
    expect(delays[1]).toBeGreaterThan(delays[0]!);

    expect(writer.getStats()).toMatchObject({ queued: 0, failures: 0, written: 25 });
    const stored = await storedIds(inner);
    expect(stored).toHaveLength(25);
    expect(new Set(stored)).toEqual(new Set(ids));
    // The lost acknowledgement made the writer send one batch twice; the store kept it once.
    expect(control.calls.length).toBeGreaterThan(4);
    expect(errors.length).toBe(4);
  });

  it('records the session before its events, and again if the store lost it', async () => {
    const inner = createMemoryStore({ userId: USER });
    const writer = createEventWriter({ store: inner, autoFlush: false });
    writer.startSession(SESSION);
    enqueueMany(writer, 2);
    expect((await writer.flush()).ok).toBe(true);
    expect((await inner.getSession(SESSION.id)).metadata.appVersion).toBe('1.0.0');

    await inner.database.clear(); // the backend lost the session: insertEvents says not_found
    enqueueMany(writer, 3);
    const result = await writer.flush();
    expect(result).toMatchObject({ ok: true, written: 3, remaining: 0 });
    expect(await storedIds(inner)).toHaveLength(3);
  });

  it('a reload drains the persisted queue without duplicates', async () => {
    const storage = createMemoryKVStorage();
    const inner = createMemoryStore({ userId: USER });
    const { store, control } = flakyStore(inner);
    const first = createEventWriter({ store, storage, autoFlush: false, persistDelayMs: 50 });
    first.startSession(SESSION);
    const written = enqueueMany(first, 4);
    await vi.advanceTimersByTimeAsync(60); // persisted: the 4 events, in one chunk
    const [tab] = JSON.parse(storage.data.get(`${DEFAULT_QUEUE_STORAGE_KEY}:tabs`)!) as string[];
    const queueKey = `${DEFAULT_QUEUE_STORAGE_KEY}:${tab}`;
    const staleChunk = storage.data.get(`${queueKey}:0`)!;
    await first.flush();
    control.failNext = 100; // the store goes down
    const unsent = enqueueMany(first, 6, 'input');
    await first.flush();
    expect(await storedIds(inner)).toEqual([...written].sort());
    first.flushOnHide(); // persists what is still queued, within this task
    for (let i = 0; i < 50; i += 1) await Promise.resolve();
    expect((await persistedEvents(storage)).map((e) => e.id)).toEqual(unsent);
    await first.close(); // the store is down: the queue stays for the next start
    // The page died in the worst place: a chunk of written events is still on disk, after
    // the manifest's last update.
    const manifest = JSON.parse(storage.data.get(queueKey)!) as { next: number };
    storage.setItem(`${queueKey}:${manifest.next}`, staleChunk);
    const ids = [...written, ...unsent];

    control.failNext = 0;
    const second = createEventWriter({ store, storage });
    await second.ready;
    expect(second.getStats()).toMatchObject({ queued: 10, adopted: 10 });
    const result = await second.flush();
    expect(result.ok).toBe(true);
    const stored = await storedIds(inner);
    expect(stored).toHaveLength(10);
    expect(new Set(stored)).toEqual(new Set(ids));
    // Drained and written: nothing is left behind for a third start.
    await second.close();
    expect([...storage.data.keys()]).toEqual([]);
  });

  it('drains from an asynchronous storage, keeping events queued before the load', async () => {
    const backing = createMemoryKVStorage();
    const asyncStorage: KVStorage = {
      getItem: async (key) => backing.getItem(key),
      setItem: async (key, value) => backing.setItem(key, value),
      removeItem: async (key) => backing.removeItem(key),
    };
    const inner = createMemoryStore({ userId: USER });
    const down = flakyStore(inner);
    down.control.failNext = 100;
    const first = createEventWriter({ store: down.store, storage: asyncStorage });
    first.startSession(SESSION);
    const before = enqueueMany(first, 3);
    await first.flush();
    await first.close();

    const second = createEventWriter({ store: inner, storage: asyncStorage, autoFlush: false });
    second.startSession(SESSION);
    const after = enqueueMany(second, 2); // before the persisted queue has loaded
    await second.flush();
    expect(await storedIds(inner)).toEqual([...before, ...after].sort());
  });

  it('survives a corrupt persisted queue and discards persisted events it could never write', async () => {
    const inner = createMemoryStore({ userId: USER });
    const corrupt = createMemoryKVStorage({ [DEFAULT_QUEUE_STORAGE_KEY]: '{"v":1,"events":[' });
    const fresh = createEventWriter({ store: inner, storage: corrupt, autoFlush: false });
    fresh.startSession(SESSION);
    enqueueMany(fresh, 1);
    expect(await fresh.flush()).toMatchObject({ ok: true, written: 1 });

    const orphan = {
      id: '019b8d99-0000-7000-8000-000000000001',
      sessionId: '00000000-0000-4000-8000-000000000009',
      type: 'click',
      path: 'a/b',
      payload: {},
      createdAt: '2026-01-05T10:00:00.000Z',
    };
    const storage = createMemoryKVStorage({
      [DEFAULT_QUEUE_STORAGE_KEY]: JSON.stringify({
        v: 1,
        events: [orphan],
        sessions: [],
        dropped: 0,
      }),
    });
    const phases: string[] = [];
    const writer = createEventWriter({
      store: inner,
      storage,
      onError: (_e, info) => phases.push(info.phase),
    });
    await writer.ready;
    expect(writer.getStats()).toMatchObject({ queued: 0, rejected: 1 });
    expect(phases).toEqual(['load']);
  });

  it('drops the oldest events when the queue is full and reports how many', async () => {
    const storage = createMemoryKVStorage();
    const inner = createMemoryStore({ userId: USER });
    const { store, control } = flakyStore(inner);
    control.failNext = 1;
    const onDrop = vi.fn();
    const writer = createEventWriter({ store, storage, maxQueueSize: 5, autoFlush: false, onDrop });
    writer.startSession(SESSION);
    const ids = enqueueMany(writer, 8);
    expect(writer.getStats()).toMatchObject({ queued: 5, dropped: 3 });
    expect(onDrop).toHaveBeenCalledTimes(3);
    expect(onDrop).toHaveBeenLastCalledWith(1, 3);
    await writer.flush(); // fails, events stay
    expect((await writer.flush()).ok).toBe(true);
    expect(await storedIds(inner)).toEqual(ids.slice(3).sort());
    await writer.close();

    // The count survives a reload, so it can still be reported after a crash.
    const reloaded = createEventWriter({ store, storage });
    await reloaded.ready;
    expect(reloaded.getStats().dropped).toBe(3);
  });

  it('runs one flush at a time and does not lose a flush requested meanwhile', async () => {
    const inner = createMemoryStore({ userId: USER });
    const { store, control } = flakyStore(inner);
    let open!: () => void;
    control.gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const writer = createEventWriter({ store, autoFlush: false, batchSize: 100 });
    writer.startSession(SESSION);
    const early = enqueueMany(writer, 3);
    const p1 = writer.flush();
    await vi.advanceTimersByTimeAsync(0);
    const late = enqueueMany(writer, 2, 'input');
    const p2 = writer.flush();
    const p3 = writer.flush();
    expect(writer.getStats().flushing).toBe(true);
    control.gate = null;
    open();
    const results = await Promise.all([p1, p2, p3]);
    expect(control.maxActive).toBe(1);
    expect(control.calls.map((call) => call.ids.length)).toEqual([3, 2]);
    expect(results[2]).toMatchObject({ ok: true, remaining: 0 });
    expect(await storedIds(inner)).toEqual([...early, ...late].sort());
  });

  it('sends the page-hide flush with keepalive and persists synchronously', async () => {
    const storage = createMemoryKVStorage();
    const inner = createMemoryStore({ userId: USER });
    const { store, control } = flakyStore(inner);
    const writer = createEventWriter({ store, storage, autoFlush: false });
    writer.startSession(SESSION);
    const ids = enqueueMany(writer, 4);
    writer.flushOnHide();
    for (let i = 0; i < 50; i += 1) await Promise.resolve(); // microtasks only: same task
    expect(await persistedEvents(storage)).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(0);
    expect(control.calls).toEqual([{ ids, options: { keepalive: true } }]);
    expect(await storedIds(inner)).toEqual([...ids].sort());
    expect(writer.getStats().queued).toBe(0);
  });

  it('gives up only the event the store refuses as invalid', async () => {
    const inner = createMemoryStore({ userId: USER });
    const errors: unknown[] = [];
    const picky: CaptureStore = {
      getIdentity: () => inner.getIdentity(),
      startSession: (s) => inner.startSession(s),
      async insertEvents(events) {
        if (events.some((e) => e.path.endsWith('item-1')))
          throw new FactoredError('invalid_input', 'this backend refuses item-1');
        return inner.insertEvents(events);
      },
    };
    const writer = createEventWriter({
      store: picky,
      autoFlush: false,
      onError: (_error, info) => errors.push(info.phase),
    });
    writer.startSession(SESSION);
    const ids = enqueueMany(writer, 3);
    expect(await writer.flush()).toMatchObject({ ok: true, written: 2, remaining: 0 });
    expect(writer.getStats().rejected).toBe(1);
    expect(errors).toEqual(['reject']);
    expect(await storedIds(inner)).toEqual([ids[0], ids[2]].sort());
  });
});

describe('bad input', () => {
  it('gets a typed error at enqueue time and loses nothing already queued', async () => {
    const inner = createMemoryStore({ userId: USER });
    const writer = createEventWriter({ store: inner, autoFlush: false });
    writer.startSession(SESSION);
    const ids = enqueueMany(writer, 3);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const bad: [string, () => unknown, string][] = [
      ['no path', () => writer.enqueue({ sessionId: SESSION.id, type: 'click', path: '' }), 'path'],
      [
        'unknown type',
        () => writer.enqueue({ sessionId: SESSION.id, type: 'hover' as EventType, path: 'a/b' }),
        'type',
      ],
      [
        'function in payload',
        () =>
          writer.enqueue({
            sessionId: SESSION.id,
            type: 'click',
            path: 'a/b',
            payload: { fn: (() => 1) as never },
          }),
        'payload',
      ],
      [
        'Date in payload',
        () =>
          writer.enqueue({
            sessionId: SESSION.id,
            type: 'click',
            path: 'a/b',
            payload: { at: new Date() as never },
          }),
        'payload',
      ],
      [
        'cyclic payload',
        () =>
          writer.enqueue({
            sessionId: SESSION.id,
            type: 'click',
            path: 'a/b',
            payload: cyclic as never,
          }),
        'payload',
      ],
      [
        'NaN in payload',
        () =>
          writer.enqueue({
            sessionId: SESSION.id,
            type: 'click',
            path: 'a/b',
            payload: { n: Number.NaN },
          }),
        'payload',
      ],
      [
        'unregistered session',
        () =>
          writer.enqueue({
            sessionId: '00000000-0000-4000-8000-000000000000',
            type: 'click',
            path: 'a/b',
          }),
        'sessionId',
      ],
    ];
    for (const [name, call, field] of bad) {
      let error: unknown;
      try {
        call();
      } catch (e) {
        error = e;
      }
      expect(error, name).toBeInstanceOf(FactoredError);
      expect((error as FactoredError).code, name).toBe('invalid_input');
      expect((error as FactoredError).details, name).toEqual({ field });
    }
    expect(writer.getStats().queued).toBe(3);
    await writer.flush();
    expect(await storedIds(inner)).toEqual([...ids].sort());
  });

  it('initCapture tracking calls reject bad input the same way', async () => {
    const inner = createMemoryStore({ userId: USER });
    const capture = initCapture({ store: inner, adapter: null, flushIntervalMs: 60_000 });
    const ok = capture.trackImpression('shop/cart', { component_depth: 2 });
    expect(() => capture.trackNavigation('')).toThrow(FactoredError);
    expect(() => capture.track('wiggle' as EventType, 'shop/cart')).toThrow(/unknown event type/);
    expect(() => capture.track('custom', 'shop/cart', { value: undefined as never })).toThrow(
      /plain JSON/,
    );
    expect(() => capture.track('custom', 'a/b/c/d/e')).toThrow(/at most 4 segments/);
    expect(capture.getStats().queued).toBe(1);
    await capture.stopCapture();
    const events = await inner.listEvents();
    expect(events.map((e) => e.id)).toEqual([ok]);
    expect(events[0]).toMatchObject({ type: 'impression', path: 'shop/cart', userId: USER });
  });
});

describe('initCapture track(name, properties)', () => {
  it('records a custom event with numeric properties on the current path', async () => {
    const inner = createMemoryStore({ userId: USER });
    const capture = initCapture({ store: inner, adapter: null, flushIntervalMs: 60_000 });
    const early = capture.track('signup');
    capture.trackNavigation('shop/checkout');
    const purchase = capture.track('purchase', { revenue: 42.5, items: 3 });
    const elsewhere = capture.track('coupon', { value: -5 }, { path: 'shop/cart/coupon' });
    await capture.stopCapture();
    const events = await inner.listEvents({ types: ['custom'] });
    expect(events.map((e) => [e.id, e.path, e.payload])).toEqual([
      [early, DEFAULT_TRACK_PATH, { name: 'signup', properties: {} }],
      [purchase, 'shop/checkout', { name: 'purchase', properties: { revenue: 42.5, items: 3 } }],
      [elsewhere, 'shop/cart/coupon', { name: 'coupon', properties: { value: -5 } }],
    ]);
  });

  it('refuses bad names and non-numeric properties without queueing anything', async () => {
    const inner = createMemoryStore({ userId: USER });
    const capture = initCapture({ store: inner, adapter: null, flushIntervalMs: 60_000 });
    const cases: [() => unknown, string, RegExp][] = [
      [() => capture.track('purchase', { revenue: '42' as never }), 'properties', /finite number/],
      [() => capture.track('purchase', { revenue: Number.NaN }), 'properties', /finite number/],
      [() => capture.track('purchase', { 'a b': 1 }), 'properties', /letters, digits/],
      [() => capture.track('click', {}), 'name', /built-in event type/],
      [() => capture.track('', {}), 'name', /non-empty/],
      [() => capture.track('x'.repeat(65), {}), 'name', /LIMITS.eventNameChars/],
      [
        () =>
          capture.track(
            'many',
            Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`p${i}`, i])),
          ),
        'properties',
        /LIMITS.eventProperties/,
      ],
    ];
    for (const [call, field, message] of cases) {
      let error: unknown;
      try {
        call();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(FactoredError);
      expect((error as FactoredError).code).toBe('invalid_input');
      expect((error as FactoredError).details).toEqual({ field });
      expect((error as FactoredError).message).toMatch(message);
    }
    expect(capture.getStats().queued).toBe(0);
    await capture.stopCapture();
  });
});

describe('initCapture without a DOM', () => {
  it('needs no window and records manual tracking on a server', async () => {
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined');
    const inner = createMemoryStore({ userId: USER });
    const capture = initCapture({ store: inner, appVersion: '2.0.0' });
    capture.trackNavigation('shop/cart');
    capture.trackImpression('shop/cart/summary', { sibling_count: 3 });
    capture.track('custom', 'shop/cart/summary', { name: 'coupon_applied' });
    await capture.stopCapture();
    const events = await inner.listEvents();
    expect(events.map((e) => e.type)).toEqual(['navigation', 'impression', 'custom']);
    const session = await inner.getSession(capture.getSessionId());
    expect(session.metadata).toEqual({ platform: 'server', appVersion: '2.0.0' });
  });
});
