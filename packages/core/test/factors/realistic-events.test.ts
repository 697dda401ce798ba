import { computeFactors, EVENT_TYPES, type FactoredEvent } from '@factoredui/core';
import { describe, expect, it } from 'vitest';
import {
  generateRealisticEvents,
  realisticEventChunks,
  realisticPaths,
} from '../../../../scripts/bench/realistic-events.js';

const END = '2026-01-08T00:00:00.000Z';
const small = { seed: 7, events: 60_000, users: 600, paths: 50, days: 7, end: END };

describe('the realistic benchmark generator (scripts/bench/realistic-events.ts)', () => {
  it('is deterministic: the same options give the same data, whatever the chunk size', () => {
    const a = generateRealisticEvents(small);
    const b = generateRealisticEvents(small);
    expect(b).toEqual(a);
    const chunked = { sessions: [] as unknown[], events: [] as unknown[] };
    let chunks = 0;
    for (const chunk of realisticEventChunks(small, 997)) {
      chunks += 1;
      chunked.sessions.push(...chunk.sessions);
      chunked.events.push(...chunk.events);
      // Chunks hold whole sessions: every event's session is in the same chunk.
      const ids = new Set(chunk.sessions.map((s) => s.id));
      expect(chunk.events.every((e) => ids.has(e.sessionId))).toBe(true);
    }
    expect(chunks).toBeGreaterThan(50);
    expect(chunked).toEqual(a);
    expect(generateRealisticEvents({ ...small, seed: 8 }).events).not.toEqual(a.events);
  });

  it('produces exactly the requested events, unique ids, inside the days before `end`', () => {
    const { sessions, events } = generateRealisticEvents(small);
    expect(events).toHaveLength(small.events);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(new Set(sessions.map((s) => s.id)).size).toBe(sessions.length);
    const endMs = Date.parse(END);
    const owner = new Map(sessions.map((s) => [s.id, s.userId]));
    for (const e of events) {
      const t = Date.parse(e.createdAt);
      expect(t).toBeLessThanOrEqual(endMs);
      expect(t).toBeGreaterThan(endMs - 7 * 86_400_000);
      expect(owner.get(e.sessionId)).toBe(e.userId);
      expect(e.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('covers every event type, the 50 paths, skewed users and funnel-shaped sessions', () => {
    const { events } = generateRealisticEvents(small);
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(EVENT_TYPES));
    expect(new Set(events.map((e) => e.path))).toEqual(new Set(realisticPaths(50)));
    const perUser = new Map<string, number>();
    for (const e of events) perUser.set(e.userId, (perUser.get(e.userId) ?? 0) + 1);
    expect(perUser.size).toBeLessThanOrEqual(small.users);
    const counts = [...perUser.values()].sort((x, y) => y - x);
    const top = counts.slice(0, Math.ceil(counts.length / 10)).reduce((s, n) => s + n, 0);
    expect(top / events.length).toBeGreaterThan(0.2);
    // Funnel: fewer sessions complete each later step.
    const completedAt = [0, 0, 0, 0, 0];
    for (const e of events) {
      if (e.type === 'navigation' && e.payload.action === 'complete') {
        completedAt[Number(e.payload.step)] = (completedAt[Number(e.payload.step)] ?? 0) + 1;
      }
    }
    for (let s = 1; s < completedAt.length; s += 1) {
      expect(completedAt[s]).toBeLessThan(completedAt[s - 1] as number);
    }
    // Clock skew and ties are present (out-of-order arrival, "strictly later" actions).
    let earlier = 0;
    let ties = 0;
    for (let i = 1; i < events.length; i += 1) {
      const [p, c] = [events[i - 1] as (typeof events)[0], events[i] as (typeof events)[0]];
      if (p.sessionId !== c.sessionId) continue;
      if (c.createdAt < p.createdAt) earlier += 1;
      if (c.createdAt === p.createdAt) ties += 1;
    }
    expect(earlier).toBeGreaterThan(0);
    expect(ties).toBeGreaterThan(0);
  });

  it('gives every factor a value somewhere (the reference engine accepts the events as is)', () => {
    const { events } = generateRealisticEvents(small);
    const values = computeFactors(events satisfies FactoredEvent[], { asOf: END });
    const factors = new Set(values.map((v) => v.factor));
    expect(factors.size).toBe(11);
    const rates = values.filter((v) => v.factor === 'completion_rate').map((v) => v.value);
    expect(Math.min(...rates)).toBe(0);
    expect(Math.max(...rates)).toBe(1);
  });

  it('rejects options it cannot honour, naming them', () => {
    expect(() => realisticPaths(201)).toThrow(/paths must be an integer from 1 to 200/);
    expect(() => generateRealisticEvents({ events: -1 })).toThrow(/events must be an integer/);
    expect(() => generateRealisticEvents({ users: 0 })).toThrow(/users must be an integer/);
    expect(() => generateRealisticEvents({ end: 'soon' })).toThrow(/end must be an ISO 8601/);
  });
});
