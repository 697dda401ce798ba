import { createEventQueue, type QueuedEvent } from '@factoredui/core';
import { describe, expect, it } from 'vitest';

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
const ids = (entries: readonly { event: QueuedEvent }[]) => entries.map((e) => e.event.id);

describe('event queue', () => {
  it('bounds by count, dropping the oldest that no write carries', () => {
    const queue = createEventQueue({ maxEvents: 3, maxChars: 1e9 });
    const all = Array.from({ length: 5 }, () => queue.push(event()).event.id);
    queue.setInFlight([all[0]!], true);
    expect(ids(queue.trim())).toEqual([all[1], all[2]]);
    expect(ids(queue.entries())).toEqual([all[0], all[3], all[4]]);
  });

  it('bounds by serialized size, measured once and off the push', () => {
    const queue = createEventQueue({ maxEvents: 100, maxChars: 1500 });
    const first = queue.push(event({ big: 'x'.repeat(400) }));
    expect(first.json).toBeUndefined(); // push does not serialize
    expect(queue.chars).toBe(0);
    queue.push(event({ big: 'x'.repeat(400) }));
    queue.push(event({ big: 'x'.repeat(400) }));
    const dropped = queue.trim();
    expect(dropped).toHaveLength(1);
    expect(dropped[0]!.event.id).toBe(first.event.id);
    expect(queue.chars).toBe(queue.entries().reduce((sum, e) => sum + e.json!.length, 0));
    expect(queue.chars).toBeLessThanOrEqual(1500);
    // A tighter bound for one call (what storage could hold).
    expect(queue.trim(600)).toHaveLength(1);
    expect(queue.length).toBe(1);
  });

  it('hands out batches of events no write carries, bounded in count and size', () => {
    const queue = createEventQueue({ maxEvents: 100, maxChars: 1e9 });
    const all = Array.from({ length: 6 }, () => queue.push(event({ p: 'y'.repeat(100) })).event.id);
    const first = queue.nextBatch(2);
    expect(ids(first)).toEqual(all.slice(0, 2));
    queue.setInFlight(ids(first), true);
    expect(ids(queue.nextBatch(2))).toEqual(all.slice(2, 4));
    const one = queue.nextBatch(10, 250);
    expect(one).toHaveLength(1); // two would exceed 250 characters
    expect(queue.inFlight).toBe(2);
  });

  it('removes written ids wherever they are and restores older events in front, once', () => {
    const queue = createEventQueue({ maxEvents: 100, maxChars: 1e9 });
    const all = Array.from({ length: 4 }, () => queue.push(event()).event.id);
    expect(queue.remove(new Set([all[0]!, all[2]!, 'not-queued']))).toBe(2);
    expect(ids(queue.entries())).toEqual([all[1], all[3]]);
    const older = event();
    const again = queue.entries()[0]!.event;
    expect(ids(queue.restore([older, again]))).toEqual([older.id]);
    expect(ids(queue.entries())).toEqual([older.id, all[1], all[3]]);
    expect(queue.has(older.id)).toBe(true);
    expect(queue.has(all[0]!)).toBe(false);
  });
});
