import {
  type CaptureStore,
  createTransport,
  FactoredError,
  type QueuedEvent,
  type SessionRecord,
} from '@factoredui/core';
import { describe, expect, it } from 'vitest';
import { createVirtualTime, settle } from './sim.js';

const SESSION: SessionRecord = {
  id: '0b8f5a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
  startedAt: '2026-01-05T10:00:00.000Z',
  metadata: { platform: 'web' },
};
const EVENT: QueuedEvent = {
  id: '019b8d99-0000-7000-8000-000000000001',
  sessionId: SESSION.id,
  type: 'click',
  path: 'a/b',
  payload: {},
  createdAt: '2026-01-05T10:00:00.000Z',
};

/** A store whose calls are answered by hand. */
function manualStore() {
  const calls: { method: string; resolve: (v: unknown) => void; reject: (e: unknown) => void }[] =
    [];
  const call = (method: string) =>
    new Promise<never>((resolve, reject) => {
      calls.push({ method, resolve: resolve as (v: unknown) => void, reject });
    });
  const store: CaptureStore = {
    getIdentity: () => call('getIdentity'),
    startSession: () => call('startSession'),
    insertEvents: () => call('insertEvents'),
  };
  return { store, calls };
}

describe('transport', () => {
  it('times out every store call, and reports a late answer', async () => {
    const time = createVirtualTime();
    const { store, calls } = manualStore();
    const late: [readonly string[], boolean][] = [];
    const transport = createTransport({
      store,
      userId: 'u1',
      timeoutMs: 1000,
      timers: time.timers(),
      sessionOf: () => SESSION,
      onLateResult: (ids, ok) => late.push([ids, ok]),
    });
    // startSession hangs: the write fails after the timeout, with a retryable code.
    const first = transport.write([EVENT], false);
    const firstError = first.catch((e: unknown) => e);
    await time.advance(1000);
    const error = (await firstError) as FactoredError;
    expect(error.code).toBe('unavailable');
    expect(error.details).toMatchObject({ reason: 'timeout', timeoutMs: 1000 });
    // Next time the session answers, insertEvents hangs, then lands late.
    const second = transport.write([EVENT], false).catch((e: unknown) => e);
    await settle();
    calls[1]!.resolve({ ...SESSION, userId: 'u1' });
    await settle();
    expect(calls.map((c) => c.method)).toEqual(['startSession', 'startSession', 'insertEvents']);
    await time.advance(1000);
    expect(((await second) as FactoredError).details).toMatchObject({ reason: 'timeout' });
    calls[2]!.resolve({ inserted: 1, duplicates: 0 });
    await settle();
    expect(late).toEqual([[[EVENT.id], true]]);
  });

  it('records the session once, again when the store lost it, and looks the user up once', async () => {
    const inserted: string[][] = [];
    let sessionsStarted = 0;
    let identities = 0;
    let lose = true;
    const store: CaptureStore = {
      getIdentity: async () => {
        identities += 1;
        return { role: 'user', userId: 'u2' };
      },
      startSession: async (s) => {
        sessionsStarted += 1;
        return { ...s };
      },
      insertEvents: async (events) => {
        if (lose) {
          lose = false;
          throw new FactoredError('not_found', 'no such session');
        }
        inserted.push(events.map((e) => e.userId));
        return { inserted: events.length, duplicates: 0 };
      },
    };
    const time = createVirtualTime();
    const transport = createTransport({
      store,
      timeoutMs: 1000,
      timers: time.timers(),
      sessionOf: () => SESSION,
    });
    await transport.write([EVENT], false);
    await transport.write([EVENT], true);
    expect(inserted).toEqual([['u2'], ['u2']]);
    expect(sessionsStarted).toBe(2); // once, and once more after not_found
    expect(identities).toBe(1);
  });

  it('refuses to write without a user', async () => {
    const time = createVirtualTime();
    const transport = createTransport({
      store: {
        getIdentity: async () => ({ role: 'anon', userId: null }),
        startSession: async (s) => ({ ...s }),
        insertEvents: async () => ({ inserted: 0, duplicates: 0 }),
      },
      timeoutMs: 1000,
      timers: time.timers(),
      sessionOf: () => SESSION,
    });
    await expect(transport.write([EVENT], false)).rejects.toMatchObject({ code: 'unauthorized' });
  });
});
