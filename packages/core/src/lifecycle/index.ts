import { FactoredError } from '../errors.js';
import { normalizeTime } from '../factors/validate.js';
import { LIMITS } from '../limits.js';
import type { UserDataCounts } from '../store/lifecycle.js';

/** Milliseconds per retention day. */
const DAY_MS = 86_400_000;

/** The tables of {@link UserDataCounts}, in the order exports and audit entries list them. */
export const USER_DATA_TABLES = [
  'sessions',
  'events',
  'factors',
  'factorSnapshots',
  'clusters',
  'assignments',
  'exposures',
  'releaseCohorts',
] as const satisfies readonly (keyof UserDataCounts)[];

/**
 * Checks the user id of `exportUser` / `eraseUser`: a non-empty string of at most
 * `LIMITS.userIdChars` characters, else `invalid_input`.
 */
export function assertLifecycleUserId(userId: unknown): asserts userId is string {
  if (typeof userId !== 'string' || userId.length === 0 || userId.length > LIMITS.userIdChars) {
    throw new FactoredError(
      'invalid_input',
      `userId must be a non-empty string of at most ${LIMITS.userIdChars} characters (LIMITS.userIdChars), got ${JSON.stringify(typeof userId === 'string' ? userId.slice(0, 40) : userId)}.`,
      { details: { field: 'userId' } },
    );
  }
}

/** Checks a retention in days: a positive integer, else `invalid_input`. */
export function assertRetentionDays(days: unknown): asserts days is number {
  if (!Number.isInteger(days) || (days as number) < 1 || (days as number) > 1_000_000) {
    throw new FactoredError(
      'invalid_input',
      `retentionDays must be a whole number of days from 1 to 1000000, got ${JSON.stringify(days)}.`,
      { details: { field: 'retentionDays' } },
    );
  }
}

/**
 * Resolves the options of `pruneEvents`: `asOf` (default `now`) normalized to ISO 8601,
 * `retentionDays` (default `configured`) checked, and the cutoff `asOf - retentionDays`.
 * Throws `invalid_input` when no retention is given or configured.
 */
export function resolveRetention(
  options: { asOf?: string; retentionDays?: number } | undefined,
  configured: number | null | undefined,
  now: () => number = Date.now,
): { asOf: string; retentionDays: number; cutoff: string } {
  const asOf =
    options?.asOf === undefined
      ? new Date(now()).toISOString()
      : normalizeTime(options.asOf, 'asOf');
  const retentionDays = options?.retentionDays ?? configured ?? undefined;
  if (retentionDays === undefined) {
    throw new FactoredError(
      'invalid_input',
      'pruneEvents needs a retention: pass { retentionDays } or configure one on the store (memory: createMemoryStore({ retentionDays }); SQL: select factoredui.set_retention_days(90)).',
      { details: { field: 'retentionDays' } },
    );
  }
  assertRetentionDays(retentionDays);
  const cutoff = new Date(Date.parse(asOf) - retentionDays * DAY_MS).toISOString();
  return { asOf, retentionDays, cutoff };
}

/** Counts with every table at 0. */
export function emptyUserDataCounts(): UserDataCounts {
  return {
    sessions: 0,
    events: 0,
    factors: 0,
    factorSnapshots: 0,
    clusters: 0,
    assignments: 0,
    exposures: 0,
    releaseCohorts: 0,
  };
}
