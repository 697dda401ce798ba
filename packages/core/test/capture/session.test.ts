import {
  createMemoryKVStorage,
  createSessionManager,
  DEFAULT_SESSION_STORAGE_KEY,
  FactoredError,
  isUuid,
  type KVStorage,
  type SessionRecord,
} from '@factoredui/core';
import { describe, expect, it } from 'vitest';

const MIN = 60_000;

function clock(start = Date.parse('2026-01-05T10:00:00.000Z')) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('session manager', () => {
  it('keeps one session while active and starts a new one after the inactivity timeout', () => {
    const time = clock();
    const started: SessionRecord[] = [];
    const sessions = createSessionManager({
      now: time.now,
      metadata: () => ({ platform: 'web', appVersion: '1.0.0' }),
      onSessionStart: (s) => started.push(s),
    });
    const first = sessions.touch();
    expect(isUuid(first)).toBe(true);
    time.advance(29 * MIN);
    expect(sessions.touch()).toBe(first);
    time.advance(29 * MIN); // 58 min after the start, 29 after the last activity
    expect(sessions.getSessionId()).toBe(first);
    time.advance(2 * MIN);
    const second = sessions.touch();
    expect(second).not.toBe(first);
    expect(started.map((s) => s.id)).toEqual([first, second]);
    expect(started[1]).toMatchObject({
      startedAt: new Date(time.now()).toISOString(),
      metadata: { platform: 'web', appVersion: '1.0.0' },
    });
  });

  it('reading the id is not activity', () => {
    const time = clock();
    const sessions = createSessionManager({ now: time.now, inactivityTimeoutMs: 1000 });
    const first = sessions.touch();
    time.advance(800);
    sessions.getSessionId();
    time.advance(800);
    expect(sessions.getSessionId()).not.toBe(first);
  });

  it('resumes a persisted session after a reload within the timeout', () => {
    const time = clock();
    const storage = createMemoryKVStorage();
    const before = createSessionManager({ storage, now: time.now });
    const id = before.touch();
    time.advance(4 * MIN);
    before.touch();
    before.persist();
    time.advance(20 * MIN);
    const resumed: boolean[] = [];
    const after = createSessionManager({
      storage,
      now: time.now,
      onSessionStart: (_s, info) => resumed.push(info.resumed),
    });
    expect(after.touch()).toBe(id);
    expect(resumed).toEqual([true]);

    time.advance(31 * MIN);
    after.persist();
    time.advance(31 * MIN);
    const later = createSessionManager({ storage, now: time.now });
    expect(later.touch()).not.toBe(id);
  });

  it('reads an asynchronous storage without blocking, adopting the stored session if still unused', async () => {
    const time = clock();
    const backing = createMemoryKVStorage();
    const storage: KVStorage = {
      getItem: async (k) => backing.getItem(k),
      setItem: async (k, v) => backing.setItem(k, v),
      removeItem: async (k) => backing.removeItem(k),
    };
    const first = createSessionManager({ storage, now: time.now });
    const id = first.touch();
    await first.ready;
    const second = createSessionManager({ storage, now: time.now });
    await second.ready;
    expect(second.touch()).toBe(id);
  });

  it('ignores a corrupt stored session and endSession starts over', () => {
    const time = clock();
    const storage = createMemoryKVStorage({ [DEFAULT_SESSION_STORAGE_KEY]: '{not json' });
    const sessions = createSessionManager({ storage, now: time.now });
    const id = sessions.touch();
    sessions.endSession();
    expect(storage.data.has(DEFAULT_SESSION_STORAGE_KEY)).toBe(false);
    expect(sessions.touch()).not.toBe(id);
  });

  it('keeps working in memory when storage throws', () => {
    const errors: unknown[] = [];
    const broken: KVStorage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => {},
    };
    const sessions = createSessionManager({ storage: broken, onError: (e) => errors.push(e) });
    expect(isUuid(sessions.touch())).toBe(true);
    expect(errors.length).toBeGreaterThanOrEqual(2);
  });

  it('rejects a non-positive timeout', () => {
    expect(() => createSessionManager({ inactivityTimeoutMs: 0 })).toThrow(FactoredError);
  });
});
