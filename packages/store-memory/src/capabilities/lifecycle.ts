import {
  assertLifecycleUserId,
  assertRetentionDays,
  type CaptureCapability,
  type ClusterCapability,
  compareFactorValues,
  createRandomId,
  type ErasureRecord,
  type ErasureSource,
  type ExperimentCapability,
  emptyUserDataCounts,
  type FactorCapability,
  FactoredError,
  type FactorSnapshotValue,
  type LifecycleCapability,
  type ReleaseCohortMembership,
  resolveRetention,
  type UserDataCounts,
  type UserDataExport,
} from '@factoredui/core';
import type { MemoryContext } from '../context.js';
import type { MemoryTables } from '../database.js';
import { compareText } from '../order.js';

const SEPARATOR = '\u001f';
const SALT_KEY = 'erasureSalt';

const bySnapshotThenFactor = (a: FactorSnapshotValue, b: FactorSnapshotValue) =>
  a.snapshotAt < b.snapshotAt ? -1 : a.snapshotAt > b.snapshotAt ? 1 : compareFactorValues(a, b);

const namesUser = (cohort: { members: string[] }, userId: string) =>
  cohort.members.includes(userId);

/** Lowercase hex SHA-256 of `salt U+001F userId` (WebCrypto: browsers and Node 20+). */
async function subjectHash(salt: string, userId: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest(
    'SHA-256',
    new TextEncoder().encode(`${salt}${SEPARATOR}${userId}`),
  );
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The random secret of this database that salts subject hashes (created on first use). */
function saltOf(tables: MemoryTables): string {
  let salt = tables.settings.get(SALT_KEY);
  if (salt === undefined) {
    salt = `${createRandomId()}${createRandomId()}`;
    tables.settings.set(SALT_KEY, salt);
  }
  return salt;
}

/** Replaces the user in a cohort by `token` (member and contribution). */
function pseudonymize(
  cohort: { members: string[]; contributions: string[] },
  userId: string,
  token: string,
): void {
  cohort.members = cohort.members.map((m) => (m === userId ? token : m));
  cohort.contributions = cohort.contributions.map((c) =>
    c.split(SEPARATOR)[0] === userId ? token : c,
  );
}

/** What the lifecycle capability reads through the store's own methods (as the service). */
type Readers = Pick<CaptureCapability, 'listSessions' | 'listEvents'> &
  Pick<FactorCapability, 'getFactors'> &
  Pick<ClusterCapability, 'getUserCluster'> &
  Pick<ExperimentCapability, 'listAssignments' | 'listExposures'>;

/**
 * Export, erasure and retention of the memory store (DESIGN §19). Erasure runs in one
 * synchronous mutation, so no other call observes half of it.
 */
export function lifecycleCapability(
  { db, access: getAccess }: MemoryContext,
  read: Readers,
  options: { retentionDays?: number | undefined; now?: () => number },
): LifecycleCapability {
  const now = options.now ?? Date.now;
  if (options.retentionDays !== undefined) assertRetentionDays(options.retentionDays);

  const cohortsOf = (userId: string): ReleaseCohortMembership[] => [
    ...db.tables.releasedCohorts
      .filter((c) => namesUser(c, userId))
      .map(
        (c): ReleaseCohortMembership => ({
          kind: 'statistics',
          experimentId: c.experimentId,
          variantKey: c.variantKey,
          factor: c.factor,
          path: c.path,
        }),
      ),
    ...db.tables.aggregateCohorts
      .filter((c) => namesUser(c, userId))
      .map(
        (c): ReleaseCohortMembership => ({ kind: 'aggregates', path: c.path, factor: c.factor }),
      ),
    ...db.tables.assignedCohorts
      .filter((c) => namesUser(c, userId))
      .map(
        (c): ReleaseCohortMembership => ({
          kind: 'assigned',
          experimentId: c.experimentId,
          variantKey: c.variantKey,
        }),
      ),
  ];

  const toRecord = (record: ErasureRecord): ErasureRecord => structuredClone(record);

  const assertLimit = (limit: unknown) => {
    if (limit !== undefined && (!Number.isInteger(limit) || (limit as number) < 1)) {
      throw new FactoredError(
        'invalid_input',
        `limit must be a positive integer, got ${JSON.stringify(limit)}.`,
        { details: { field: 'limit' } },
      );
    }
  };

  /** Erases `userId` (already checked) and appends the audit entry. */
  const erase = async (userId: string, source: ErasureSource): Promise<ErasureRecord> => {
    // The hash is computed before the mutation (WebCrypto is async); the mutation itself is
    // synchronous, so it is atomic for every other caller.
    const salt = db.write('events', (t) => saltOf(t));
    const hash = await subjectHash(salt, userId);
    const record = db.write('events', (t) => {
      const counts = emptyUserDataCounts();
      const token = `erased:${createRandomId()}`;
      for (const [id, s] of t.sessions)
        if (s.userId === userId) {
          t.sessions.delete(id);
          counts.sessions++;
        }
      for (const [id, e] of t.events)
        if (e.userId === userId) {
          t.events.delete(id);
          counts.events++;
        }
      for (const [id, f] of t.factors)
        if (f.userId === userId) {
          t.factors.delete(id);
          counts.factors++;
        }
      const snapshots = t.snapshots.filter((s) => s.userId !== userId);
      counts.factorSnapshots = t.snapshots.length - snapshots.length;
      t.snapshots = snapshots;
      if (t.clusters.delete(userId)) counts.clusters = 1;
      for (const [id, a] of t.assignments)
        if (a.userId === userId) {
          t.assignments.delete(id);
          counts.assignments++;
        }
      for (const [id, x] of t.exposures)
        if (x.userId === userId) {
          t.exposures.delete(id);
          counts.exposures++;
        }
      for (const cohort of [...t.releasedCohorts, ...t.aggregateCohorts]) {
        if (!namesUser(cohort, userId)) continue;
        pseudonymize(cohort, userId, token);
        counts.releaseCohorts++;
      }
      for (const cohort of t.assignedCohorts) {
        if (!namesUser(cohort, userId)) continue;
        cohort.members = cohort.members.map((m) => (m === userId ? token : m));
        counts.releaseCohorts++;
      }
      // The request (if any) is satisfied, and it names the user.
      t.erasureRequests.delete(userId);
      const entry: ErasureRecord = {
        id: createRandomId(),
        subjectHash: hash,
        counts,
        erasedAt: new Date(now()).toISOString(),
        source,
      };
      t.erasures.push(entry);
      return entry;
    });
    // Announce the other topics whose rows changed.
    db.write('factors', () => undefined);
    db.write('assignments', () => undefined);
    return toRecord(record);
  };

  return {
    async exportUser(userId) {
      (await getAccess()).assertService('exportUser');
      assertLifecycleUserId(userId);
      const exportedAt = new Date(now()).toISOString();
      const cluster = await read.getUserCluster(userId);
      const data: Omit<UserDataExport, 'counts' | 'format' | 'userId' | 'exportedAt'> = {
        sessions: await read.listSessions({ userId }),
        events: await read.listEvents({ userId }),
        factors: await read.getFactors({ userId }),
        factorSnapshots: structuredClone(
          db.tables.snapshots.filter((s) => s.userId === userId).sort(bySnapshotThenFactor),
        ),
        clusters: cluster ? [cluster] : [],
        assignments: await read.listAssignments({ userId }),
        exposures: await read.listExposures({ userId }),
        releaseCohorts: cohortsOf(userId),
      };
      const counts = emptyUserDataCounts();
      for (const table of Object.keys(counts) as (keyof UserDataCounts)[]) {
        counts[table] = data[table].length;
      }
      return { format: 'factoredui.user-export.v1', userId, exportedAt, counts, ...data };
    },

    async eraseUser(userId) {
      (await getAccess()).assertService('eraseUser');
      assertLifecycleUserId(userId);
      return erase(userId, 'service');
    },

    async listErasures(query = {}) {
      (await getAccess()).assertService('listErasures');
      assertLimit(query.limit);
      let entries = [...db.tables.erasures].reverse();
      if (query.userId !== undefined) {
        assertLifecycleUserId(query.userId);
        const salt = db.tables.settings.get(SALT_KEY);
        if (salt === undefined) return [];
        const hash = await subjectHash(salt, query.userId);
        entries = entries.filter((e) => e.subjectHash === hash);
      }
      return entries.slice(0, query.limit ?? entries.length).map(toRecord);
    },

    async pruneEvents(pruneOptions) {
      (await getAccess()).assertService('pruneEvents');
      const { retentionDays, cutoff } = resolveRetention(pruneOptions, options.retentionDays, now);
      return db.write('events', (t) => {
        let events = 0;
        let sessions = 0;
        const kept = new Set<string>();
        for (const [id, e] of t.events) {
          if (compareText(e.createdAt, cutoff) < 0) {
            t.events.delete(id);
            events++;
          } else kept.add(e.sessionId);
        }
        for (const [id, s] of t.sessions) {
          if (compareText(s.startedAt, cutoff) < 0 && !kept.has(id)) {
            t.sessions.delete(id);
            sessions++;
          }
        }
        return { cutoff, retentionDays, events, sessions };
      });
    },

    async requestErasure() {
      const { identity } = await getAccess();
      if (identity.role !== 'user' || identity.userId === null) {
        throw new FactoredError(
          'unauthorized',
          'requestErasure: only a user store may request the erasure of its own data; the service role calls eraseUser.',
        );
      }
      const userId = identity.userId;
      const requestedAt = db.write('events', (t) => {
        const pending = t.erasureRequests.get(userId);
        if (pending !== undefined) return pending;
        const at = new Date(now()).toISOString();
        t.erasureRequests.set(userId, at);
        return at;
      });
      return { requestedAt };
    },

    async processErasureRequests(options = {}) {
      (await getAccess()).assertService('processErasureRequests');
      assertLimit(options.limit);
      const queued = [...db.tables.erasureRequests.entries()]
        .sort(([a, at], [b, bt]) => compareText(at, bt) || compareText(a, b))
        .slice(0, options.limit ?? db.tables.erasureRequests.size);
      const records: ErasureRecord[] = [];
      for (const [userId] of queued) records.push(await erase(userId, 'user_request'));
      return records;
    },
  };
}
