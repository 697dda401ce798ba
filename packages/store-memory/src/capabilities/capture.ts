import {
  assertValidEvents,
  assertValidSession,
  type CaptureCapability,
  FactoredError,
  type FactoredEvent,
  type Session,
} from '@factoredui/core';
import type { MemoryContext } from '../context.js';
import { compareText, orderBy } from '../order.js';

const byTimeThenId = orderBy<FactoredEvent>(
  (e) => e.createdAt,
  (e) => e.id,
);

const clone = <T>(value: T): T => structuredClone(value);

/** Sessions and append-only events. */
export function captureCapability({ db, access: getAccess }: MemoryContext): CaptureCapability {
  return {
    async startSession(session) {
      const access = await getAccess();
      assertValidSession(session);
      access.assertCanWrite(session.userId, 'startSession');
      const existing = db.tables.sessions.get(session.id);
      if (existing) {
        if (existing.userId !== session.userId) {
          throw new FactoredError(
            'conflict',
            `session ${session.id} already belongs to another user.`,
          );
        }
        return clone(existing);
      }
      const stored: Session = clone({
        id: session.id,
        userId: session.userId,
        startedAt: new Date(session.startedAt).toISOString(),
        metadata: session.metadata,
      });
      db.write('events', (t) => t.sessions.set(stored.id, stored), stored.userId);
      return clone(stored);
    },

    async getSession(sessionId) {
      const access = await getAccess();
      const session = db.tables.sessions.get(sessionId);
      if (!session || !access.canSee(session.userId)) {
        throw new FactoredError(
          'not_found',
          `session ${sessionId} does not exist or is not visible to this store.`,
        );
      }
      return clone(session);
    },

    async listSessions(query = {}) {
      const access = await getAccess();
      const sessions = [...db.tables.sessions.values()]
        .filter(
          (s) =>
            access.canSee(s.userId) && (query.userId === undefined || s.userId === query.userId),
        )
        .sort((a, b) => compareText(b.startedAt, a.startedAt));
      return clone(query.limit === undefined ? sessions : sessions.slice(0, query.limit));
    },

    async insertEvents(events) {
      const access = await getAccess();
      assertValidEvents(events);
      // Validate the whole batch before touching any table: a batch is atomic.
      for (const event of events) {
        access.assertCanWrite(event.userId, 'insertEvents');
        const session = db.tables.sessions.get(event.sessionId);
        if (!session || !access.canSee(session.userId)) {
          throw new FactoredError(
            'not_found',
            `event ${event.id}: session ${event.sessionId} does not exist; start it with startSession first.`,
          );
        }
        if (session.userId !== event.userId) {
          throw new FactoredError(
            'invalid_input',
            `event ${event.id}: session ${event.sessionId} belongs to another user.`,
          );
        }
      }
      let inserted = 0;
      let duplicates = 0;
      const fresh: FactoredEvent[] = [];
      const seen = new Set<string>();
      for (const event of events) {
        if (db.tables.events.has(event.id) || seen.has(event.id)) duplicates += 1;
        else {
          seen.add(event.id);
          fresh.push({ ...clone(event), createdAt: new Date(event.createdAt).toISOString() });
          inserted += 1;
        }
      }
      if (fresh.length > 0) {
        db.write('events', (t) => {
          for (const event of fresh) t.events.set(event.id, event);
        });
      }
      return { inserted, duplicates };
    },

    async listEvents(query = {}) {
      const access = await getAccess();
      const types = query.types ? new Set<string>(query.types) : null;
      const since = query.since === undefined ? null : new Date(query.since).toISOString();
      const until = query.until === undefined ? null : new Date(query.until).toISOString();
      const result: FactoredEvent[] = [];
      for (const event of db.tables.events.values()) {
        if (!access.canSee(event.userId)) continue;
        if (query.userId !== undefined && event.userId !== query.userId) continue;
        if (query.sessionId !== undefined && event.sessionId !== query.sessionId) continue;
        if (query.path !== undefined && event.path !== query.path) continue;
        if (types && !types.has(event.type)) continue;
        if (since !== null && event.createdAt < since) continue;
        if (until !== null && event.createdAt > until) continue;
        result.push(event);
      }
      result.sort(byTimeThenId);
      return clone(query.limit === undefined ? result : result.slice(0, query.limit));
    },
  };
}
