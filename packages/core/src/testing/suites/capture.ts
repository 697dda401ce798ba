import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, type FactoredEvent, type NewSession } from '../../capture/types.js';
import { LIMITS } from '../../limits.js';
import type { JsonObject } from '../../util/json.js';
import type { SuiteContext } from '../context.js';
import { expectCode } from '../expect.js';
import { TEST_USERS, testUuid } from '../harness.js';

const T0 = Date.parse('2026-01-05T10:00:00.000Z');

/** A session for `userId`, deterministic by `n`. */
export function sessionFor(userId: string, n = 1): NewSession {
  return {
    id: testUuid(0x5e55, n),
    userId,
    startedAt: new Date(T0).toISOString(),
    metadata: { platform: 'web', viewport: { width: 1280, height: 800 }, appVersion: '1.2.0' },
  };
}

let eventCounter = 0;
/** An event with a fresh deterministic id; `offsetMs` is relative to a fixed base time. */
export function eventFor(
  session: NewSession,
  overrides: Partial<FactoredEvent> & { offsetMs?: number } = {},
): FactoredEvent {
  const { offsetMs = 0, ...rest } = overrides;
  eventCounter += 1;
  return {
    id: testUuid(0xe7e7, eventCounter),
    sessionId: session.id,
    userId: session.userId,
    type: 'click',
    path: 'shop/catalog/grid/card',
    payload: {},
    createdAt: new Date(T0 + offsetMs).toISOString(),
    ...rest,
  };
}

/** Identity, sessions and events. */
export function captureConformance(ctx: SuiteContext): void {
  describe('identity', () => {
    it('a user store acts as its user', async () => {
      const store = await ctx.user(TEST_USERS.alice);
      expect(await store.getIdentity()).toEqual({ role: 'user', userId: TEST_USERS.alice });
    });
    it('a service store has the service role and no user', async () => {
      const store = await ctx.service();
      expect(await store.getIdentity()).toEqual({ role: 'service', userId: null });
    });
  });

  describe('sessions', () => {
    it('starts a session and reads it back', async () => {
      const store = await ctx.user(TEST_USERS.alice);
      const session = sessionFor(TEST_USERS.alice);
      const stored = await store.startSession(session);
      expect(stored).toEqual(session);
      expect(await store.getSession(session.id)).toEqual(session);
    });
    it('is idempotent on id: a second start returns the first session unchanged', async () => {
      const store = await ctx.user(TEST_USERS.alice);
      const session = sessionFor(TEST_USERS.alice);
      await store.startSession(session);
      const again = await store.startSession({ ...session, metadata: { platform: 'ios' } });
      expect(again.metadata.platform).toBe('web');
      expect(await store.listSessions()).toHaveLength(1);
    });
    it('throws not_found for an unknown session', async () => {
      const store = await ctx.user(TEST_USERS.alice);
      await expectCode(store.getSession(testUuid(0x5e55, 999)), 'not_found');
    });
    it('throws invalid_input for a malformed session', async () => {
      const store = await ctx.user(TEST_USERS.alice);
      await expectCode(
        store.startSession({ ...sessionFor(TEST_USERS.alice), id: 'not-a-uuid' }),
        'invalid_input',
      );
      await expectCode(
        store.startSession({ ...sessionFor(TEST_USERS.alice), userId: '' }),
        'invalid_input',
      );
    });
    it('a user cannot start a session for another user', async () => {
      const store = await ctx.user(TEST_USERS.alice);
      await expectCode(store.startSession(sessionFor(TEST_USERS.bob)), 'unauthorized');
    });
    it("a user cannot see another user's sessions", async () => {
      const bob = await ctx.user(TEST_USERS.bob);
      const session = sessionFor(TEST_USERS.bob, 2);
      await bob.startSession(session);
      const alice = await ctx.user(TEST_USERS.alice);
      await expectCode(alice.getSession(session.id), 'not_found');
      expect(await alice.listSessions()).toEqual([]);
    });
  });

  describe('events', () => {
    it('stores a batch once even when it is written twice', async () => {
      const store = await ctx.user(TEST_USERS.alice);
      const session = sessionFor(TEST_USERS.alice);
      await store.startSession(session);
      const batch = [
        eventFor(session),
        eventFor(session, { offsetMs: 10 }),
        eventFor(session, { offsetMs: 20 }),
      ];
      expect(await store.insertEvents(batch)).toEqual({ inserted: 3, duplicates: 0 });
      expect(await store.insertEvents(batch)).toEqual({ inserted: 0, duplicates: 3 });
      expect(await store.listEvents({ sessionId: session.id })).toHaveLength(3);
    });
    it('a partly retried batch inserts only the new events', async () => {
      const store = await ctx.user(TEST_USERS.alice);
      const session = sessionFor(TEST_USERS.alice);
      await store.startSession(session);
      const first = eventFor(session);
      await store.insertEvents([first]);
      expect(await store.insertEvents([first, eventFor(session, { offsetMs: 5 })])).toEqual({
        inserted: 1,
        duplicates: 1,
      });
    });
    it('an empty batch is a no-op', async () => {
      const store = await ctx.user(TEST_USERS.alice);
      expect(await store.insertEvents([])).toEqual({ inserted: 0, duplicates: 0 });
    });
    it('returns events ordered by createdAt then id, whatever the arrival order', async () => {
      const store = await ctx.user(TEST_USERS.alice);
      const session = sessionFor(TEST_USERS.alice);
      await store.startSession(session);
      const late = eventFor(session, { offsetMs: 3000 });
      const early = eventFor(session, { offsetMs: 1000 });
      const tieA = eventFor(session, { offsetMs: 2000, id: testUuid(0xabc, 1) });
      const tieB = eventFor(session, { offsetMs: 2000, id: testUuid(0xabc, 2) });
      await store.insertEvents([late, tieB]);
      await store.insertEvents([tieA, early]);
      const ids = (await store.listEvents({ sessionId: session.id })).map((e) => e.id);
      expect(ids).toEqual([early.id, tieA.id, tieB.id, late.id]);
    });
    it('round-trips every field, with the payload verbatim', async () => {
      const store = await ctx.user(TEST_USERS.alice);
      const session = sessionFor(TEST_USERS.alice);
      await store.startSession(session);
      const event = eventFor(session, {
        type: 'navigation',
        path: 'shop/checkout/pay-form/submit',
        payload: { action: 'complete', nested: { list: [1, 2.5, 'x', null, true] } },
      });
      await store.insertEvents([event]);
      expect(await store.listEvents({ sessionId: session.id })).toEqual([event]);
    });
    it('stores hostile strings verbatim', async () => {
      const store = await ctx.user(TEST_USERS.alice);
      const session = sessionFor(TEST_USERS.alice);
      await store.startSession(session);
      const hostile = `'; DROP TABLE events; -- "quoted" \\ ünïcødé 🙂 \u2028`;
      const event = eventFor(session, {
        path: `flow/${hostile.replace(/\//g, '')}`,
        payload: { [hostile]: hostile },
      });
      await store.insertEvents([event]);
      expect(await store.listEvents({ sessionId: session.id })).toEqual([event]);
    });
    it('filters by path, type and time range, and limits', async () => {
      const store = await ctx.user(TEST_USERS.alice);
      const session = sessionFor(TEST_USERS.alice);
      await store.startSession(session);
      const a = eventFor(session, { offsetMs: 0, path: 'a/b/c/d' });
      const b = eventFor(session, { offsetMs: 1000, type: 'error', path: 'a/b/c/d' });
      const c = eventFor(session, { offsetMs: 2000, path: 'a/b/c/e' });
      await store.insertEvents([a, b, c]);
      expect((await store.listEvents({ path: 'a/b/c/d' })).map((e) => e.id)).toEqual([a.id, b.id]);
      expect((await store.listEvents({ types: ['error'] })).map((e) => e.id)).toEqual([b.id]);
      expect(
        (await store.listEvents({ since: b.createdAt, until: c.createdAt })).map((e) => e.id),
      ).toEqual([b.id, c.id]);
      expect((await store.listEvents({ limit: 1 })).map((e) => e.id)).toEqual([a.id]);
    });
    it('rejects a whole batch with one bad event and stores nothing of it', async () => {
      const store = await ctx.user(TEST_USERS.alice);
      const session = sessionFor(TEST_USERS.alice);
      await store.startSession(session);
      const good = eventFor(session);
      const bad = { ...eventFor(session), type: 'teleport' } as unknown as FactoredEvent;
      await expectCode(store.insertEvents([good, bad]), 'invalid_input');
      expect(await store.listEvents({ sessionId: session.id })).toEqual([]);
    });
    it('rejects an event without a path, an unknown type, a bad time or a non-JSON payload', async () => {
      const store = await ctx.user(TEST_USERS.alice);
      const session = sessionFor(TEST_USERS.alice);
      await store.startSession(session);
      const cases: unknown[] = [
        { ...eventFor(session), path: '' },
        { ...eventFor(session), type: 'teleport' },
        { ...eventFor(session), createdAt: 'yesterday' },
        { ...eventFor(session), payload: { when: new Date() } },
        { ...eventFor(session), payload: { n: Number.NaN } },
        { ...eventFor(session), id: 'not-a-uuid' },
        { ...eventFor(session), userId: '' },
      ];
      for (const bad of cases)
        await expectCode(store.insertEvents([bad as FactoredEvent]), 'invalid_input');
    });
    it('stores custom events (name + numeric properties) verbatim and refuses malformed ones', async () => {
      const store = await ctx.user(TEST_USERS.alice);
      const session = sessionFor(TEST_USERS.alice, 21);
      await store.startSession(session);
      const purchase = eventFor(session, {
        type: 'custom',
        path: 'shop/checkout',
        payload: { name: 'purchase', properties: { revenue: 42.5, items: 3, discount: -0.25 } },
      });
      await store.insertEvents([purchase]);
      expect(await store.listEvents({ sessionId: session.id, types: ['custom'] })).toEqual([
        purchase,
      ]);
      const tooMany = Object.fromEntries(
        Array.from({ length: LIMITS.eventProperties + 1 }, (_, i) => [`p${i}`, i]),
      );
      const payloads: JsonObject[] = [
        { name: 'purchase', properties: { revenue: '42' } },
        { name: 'purchase', properties: [1] },
        { name: 'purchase', properties: tooMany },
        { name: 'purchase', properties: { 'two words': 1 } },
        { name: 'n'.repeat(LIMITS.eventNameChars + 1) },
        { name: '' },
        { properties: { revenue: 1 } },
        ...EVENT_TYPES.map((name) => ({ name })),
      ];
      for (const payload of payloads) {
        const bad = eventFor(session, { type: 'custom', payload });
        await expectCode(store.insertEvents([bad]), 'invalid_input');
      }
      expect(await store.listEvents({ sessionId: session.id })).toEqual([purchase]);
    });
    it('throws not_found for an event in an unknown session', async () => {
      const store = await ctx.user(TEST_USERS.alice);
      const ghost = sessionFor(TEST_USERS.alice, 77);
      await expectCode(store.insertEvents([eventFor(ghost)]), 'not_found');
    });
    it('a user cannot insert an event for another user', async () => {
      const bob = await ctx.user(TEST_USERS.bob);
      const bobSession = sessionFor(TEST_USERS.bob, 3);
      await bob.startSession(bobSession);
      const alice = await ctx.user(TEST_USERS.alice);
      await expectCode(alice.insertEvents([eventFor(bobSession)]), 'unauthorized');
      expect(await bob.listEvents()).toEqual([]);
    });
    it("a user cannot read another user's events", async () => {
      const bob = await ctx.user(TEST_USERS.bob);
      const bobSession = sessionFor(TEST_USERS.bob, 4);
      await bob.startSession(bobSession);
      await bob.insertEvents([eventFor(bobSession)]);
      const alice = await ctx.user(TEST_USERS.alice);
      expect(await alice.listEvents()).toEqual([]);
      expect(await alice.listEvents({ userId: TEST_USERS.bob })).toEqual([]);
    });
    it('the service role writes and reads events of any user', async () => {
      const service = await ctx.service();
      const s1 = sessionFor(TEST_USERS.alice, 5);
      const s2 = sessionFor(TEST_USERS.bob, 6);
      await service.startSession(s1);
      await service.startSession(s2);
      await service.insertEvents([eventFor(s1), eventFor(s2, { offsetMs: 1 })]);
      expect(await service.listEvents()).toHaveLength(2);
      expect(await service.listEvents({ userId: TEST_USERS.bob })).toHaveLength(1);
    });
  });
}
