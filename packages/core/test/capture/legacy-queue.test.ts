import {
  createEventWriter,
  type EventWriterOptions,
  isFactoredError,
  type KVStorage,
} from '@factoredui/core';
import { describe, expect, it } from 'vitest';
import {
  createFaultyStore,
  createQuotaStorage,
  createVirtualTime,
  persistedEvents,
  seededRandom,
} from './sim.js';

// Draining the offline queue a FactoredUI 0.5.1 client left in storage (issue #21): its rows
// become current events, durable in the new queue before the old key goes, with ids derived
// from the queue so a drain repeated after a crash duplicates nothing.

const KEY = 'factoredui:offline_queue';
const USER = 'sim-user';
const SESSION = '5f0c6e1a-2b3c-4d5e-8f90-a1b2c3d4e5f6';

/** A 0.5.1 event row, as its writer queued it (no id, no time). */
const row = (over: Record<string, unknown> = {}) => ({
  user_id: USER,
  session_id: SESSION,
  event_type: 'click',
  component_path: 'checkout/pay/button',
  payload: { x: 10, y: 20, target_tag: 'button' },
  ...over,
});

function setup(storage = createQuotaStorage()) {
  const time = createVirtualTime();
  const faulty = createFaultyStore(seededRandom(3), USER);
  const errors: { error: unknown; phase: string; events: number }[] = [];
  const open = (options: Partial<EventWriterOptions> = {}) => {
    const timers = time.timers();
    const writer = createEventWriter({
      store: faulty.store,
      storage,
      timers,
      now: time.now,
      random: () => 0.5,
      onError: (error, info) => errors.push({ error, ...info }),
      ...options,
    });
    return { writer, crash: () => timers.kill() };
  };
  return { time, faulty, storage, errors, open };
}

describe('the 0.5.1 offline queue (factoredui:offline_queue)', () => {
  it('is drained once at start: converted, durable in the new queue, then the key is removed', async () => {
    const w = setup();
    w.storage.data.set(
      KEY,
      JSON.stringify([
        row(),
        row({ event_type: 'scroll', component_path: 'checkout/pay', payload: { scroll_y: 300 } }),
        row({ event_type: 'rage_click', payload: { click_count: 4 } }),
      ]),
    );
    const { writer } = w.open();
    await writer.ready;
    expect(w.storage.data.has(KEY)).toBe(false);
    expect(writer.getStats()).toMatchObject({ adopted: 3, queued: 3, rejected: 0 });
    // Durable under the new format before the old key went.
    const persisted = await persistedEvents(w.storage);
    expect(persisted.map((e) => e.type).sort()).toEqual(['click', 'rage_click', 'scroll']);
    expect((await writer.flush()).written).toBe(3);
    const stored = [...w.faulty.rows.values()];
    expect(stored.map((e) => [e.type, e.path, e.sessionId, e.userId]).sort()).toEqual([
      ['click', 'checkout/pay/button', SESSION, USER],
      ['rage_click', 'checkout/pay/button', SESSION, USER],
      ['scroll', 'checkout/pay', SESSION, USER],
    ]);
    // UUIDv7-shaped ids, dated at the drain (0.5.1 rows carry no time).
    for (const event of stored) {
      expect(event.id).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(event.createdAt).toBe(new Date(w.time.now()).toISOString());
    }
    expect(stored.find((e) => e.type === 'scroll')?.payload).toEqual({ scroll_y: 300 });
    // A second start finds nothing to drain.
    await writer.close();
    const again = w.open();
    await again.writer.ready;
    expect(again.writer.getStats()).toMatchObject({ adopted: 0, queued: 0 });
  });

  it('a crash between making the events durable and removing the key: the next start sends each once', async () => {
    const storage = createQuotaStorage();
    // The first tab dies right after committing: removing the old key never happens.
    let crashed = false;
    const crashing: KVStorage & { data: Map<string, string> } = {
      data: storage.data,
      getItem: (key) => storage.getItem(key),
      setItem: (key, value) => storage.setItem(key, value),
      removeItem(key) {
        if (key === KEY && !crashed) {
          crashed = true;
          throw new Error('the tab died here');
        }
        return storage.removeItem(key);
      },
    };
    const w = setup(crashing as never);
    w.storage.data.set(KEY, JSON.stringify([row(), row({ payload: { x: 1 } }), row()]));
    const first = w.open();
    await first.writer.ready;
    expect(crashed).toBe(true);
    expect(w.storage.data.has(KEY)).toBe(true);
    const ids = (await persistedEvents(w.storage)).map((e) => e.id).sort();
    expect(ids).toHaveLength(3);
    // It even wrote them before dying.
    expect((await first.writer.flush()).written).toBe(3);
    first.crash();

    // The next start adopts the dead tab's queue (if any was left) and drains the key again:
    // the same ids, so the queue skips what it holds and the store what it has.
    await w.time.advance(20_000);
    const second = w.open();
    await second.writer.ready;
    expect(w.storage.data.has(KEY)).toBe(false);
    await second.writer.flush();
    expect([...w.faulty.rows.keys()].sort()).toEqual(ids);
    expect(w.faulty.rows.size).toBe(3);
  });

  it('a crash before anything was written: the adopted queue and the repeated drain hold the same ids', async () => {
    const w = setup();
    w.storage.data.set(KEY, JSON.stringify([row(), row({ event_type: 'submit', payload: {} })]));
    w.faulty.faults.offline = true;
    // The identity is known from the option, so the drain does not wait for the store.
    const a = w.open({ userId: USER });
    await a.writer.ready;
    const drained = (await persistedEvents(w.storage)).map((e) => e.id).sort();
    expect(drained).toHaveLength(2);
    // Put the key back as if removing it had not happened, then crash.
    w.storage.data.set(KEY, JSON.stringify([row(), row({ event_type: 'submit', payload: {} })]));
    a.crash();
    await w.time.advance(20_000);
    w.faulty.faults.offline = false;
    const b = w.open({ userId: USER });
    await b.writer.ready;
    expect(b.writer.getStats().queued).toBe(2);
    await b.writer.flush();
    expect([...w.faulty.rows.keys()].sort()).toEqual(drained);
  });

  it('two tabs starting at once both drain it: the same ids, so each event is stored once', async () => {
    const w = setup();
    w.storage.data.set(KEY, JSON.stringify([row(), row({ event_type: 'scroll' }), row()]));
    const a = w.open();
    const b = w.open();
    await Promise.all([a.writer.ready, b.writer.ready]);
    await Promise.all([a.writer.flush(), b.writer.flush()]);
    expect(w.storage.data.has(KEY)).toBe(false);
    expect(w.faulty.rows.size).toBe(3);
  });

  it('corrupt JSON is dropped and counted, never thrown', async () => {
    const w = setup();
    w.storage.data.set(KEY, '[{"event_type": "click", ');
    const { writer } = w.open();
    await writer.ready;
    expect(writer.getStats()).toMatchObject({ queued: 0, rejected: 1, adopted: 0 });
    expect(w.storage.data.has(KEY)).toBe(false);
  });

  it('hostile rows (huge, deep, wrong types, another user) are dropped and counted; the valid ones kept', async () => {
    const w = setup();
    // 100,000 levels: written as text (JSON.stringify itself would overflow the stack).
    const deep = `${'{"d":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
    const deepRow = JSON.stringify(row({ payload: '@deep' })).replace('"@deep"', deep);
    const hostile = [
      row({ payload: { blob: 'x'.repeat(70_000) } }), // over LIMITS.eventPayloadBytes
      row({ event_type: 5 }),
      row({ event_type: 'keystroke' }),
      row({ component_path: { a: 1 } }),
      row({ component_path: 'a/b/c/d/e' }),
      row({ component_path: 'a/\u0007/b' }),
      row({ payload: 'not an object' }),
      row({ payload: [1, 2] }),
      row({ user_id: 'someone-else' }),
      null,
      42,
      'click',
      [row()],
    ];
    const raw = JSON.stringify([row(), ...hostile, row({ event_type: 'blur' })]).replace(
      /^\[/,
      `[${deepRow},`,
    );
    w.storage.data.set(KEY, raw);
    const { writer } = w.open();
    await writer.ready;
    expect(writer.getStats()).toMatchObject({ queued: 2, rejected: hostile.length + 1 });
    expect(w.storage.data.has(KEY)).toBe(false);
    await writer.flush();
    expect([...w.faulty.rows.values()].map((e) => e.type).sort()).toEqual(['blur', 'click']);
  });

  it('never carries a typed value: input, focus and blur rows lose their payload', async () => {
    const w = setup();
    w.storage.data.set(
      KEY,
      JSON.stringify([
        row({ event_type: 'input', payload: { target_tag: 'input', value: 'my secret' } }),
        row({ event_type: 'focus', payload: { value: 'my secret' } }),
        row({ event_type: 'blur', payload: { target_value: 'my secret' } }),
      ]),
    );
    const { writer } = w.open();
    await writer.ready;
    await writer.flush();
    const stored = [...w.faulty.rows.values()];
    expect(stored.map((e) => e.payload)).toEqual([{}, {}, {}]);
    expect(JSON.stringify([...w.storage.data.values()])).not.toContain('my secret');
    expect(JSON.stringify(stored)).not.toContain('my secret');
  });

  it('rows without a session (or with a malformed one) share one derived session, recorded first', async () => {
    const w = setup();
    const rows = [row({ session_id: undefined }), row({ session_id: 'abc' }), row()];
    w.storage.data.set(KEY, JSON.stringify(rows));
    const { writer } = w.open();
    await writer.ready;
    await writer.flush();
    const sessions = new Set([...w.faulty.rows.values()].map((e) => e.sessionId));
    expect(sessions.size).toBe(2);
    expect(sessions.has(SESSION)).toBe(true);
    const derived = [...sessions].find((id) => id !== SESSION) as string;
    expect(derived).toMatch(/^[0-9a-f-]{36}$/);
    // The derived session was started in the store before its events.
    expect(w.faulty.rows.size).toBe(3);
  });

  it('without a known user (store offline) the key is kept and drained at a later start', async () => {
    const w = setup();
    w.storage.data.set(KEY, JSON.stringify([row()]));
    w.faulty.faults.offline = true;
    const first = w.open();
    await first.writer.ready;
    expect(w.storage.data.has(KEY)).toBe(true);
    expect(first.writer.getStats().queued).toBe(0);
    expect(
      w.errors.some((e) => e.phase === 'load' && isFactoredError(e.error, 'unavailable')),
    ).toBe(true);
    await first.writer.close();
    w.faulty.faults.offline = false;
    const second = w.open();
    await second.writer.ready;
    expect(w.storage.data.has(KEY)).toBe(false);
    await second.writer.flush();
    expect(w.faulty.rows.size).toBe(1);
  });
});
