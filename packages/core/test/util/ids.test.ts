import { createEventId, createRandomId, isUuid } from '@factoredui/core';
import { afterEach, describe, expect, it, vi } from 'vitest';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('ids', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('makes RFC 9562 v7 ids carrying the time, in creation order within a millisecond', () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 2, 3, 4, 5, 6), toFake: ['Date'] });
    const ids = Array.from({ length: 2000 }, () => createEventId());
    for (const id of ids) expect(id).toMatch(V7);
    expect(Number.parseInt(ids[0]?.replaceAll('-', '').slice(0, 12) ?? '', 16)).toBe(Date.now());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    vi.setSystemTime(Date.now() - 1000); // the clock goes back: ids still sort after
    const later = createEventId();
    expect(later > (ids.at(-1) as string)).toBe(true);
    vi.setSystemTime(Date.now() + 5000);
    const next = createEventId();
    expect(Number.parseInt(next.replaceAll('-', '').slice(0, 12), 16)).toBe(Date.now());
    expect(next > later).toBe(true);
  });

  it('makes random v4 ids', () => {
    const ids = Array.from({ length: 1000 }, () => createRandomId());
    for (const id of ids) {
      expect(id).toMatch(V4);
      expect(isUuid(id)).toBe(true);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(isUuid('not-a-uuid')).toBe(false);
  });
});
