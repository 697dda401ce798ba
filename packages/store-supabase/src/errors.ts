import { FactoredError, type FactoredErrorCode } from '@factoredui/core';

/** The fields of a database error that {@link mapSqlError} reads (pg, PGlite, PostgREST). */
interface SqlErrorLike {
  code?: unknown;
  message?: unknown;
  detail?: unknown;
  details?: unknown;
  hint?: unknown;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/**
 * The {@link FactoredErrorCode} for a PostgreSQL SQLSTATE (or a Node network error code), per
 * the table in `docs/sql-api.md`. Unknown codes map to `internal`.
 */
export function sqlStateToCode(sqlstate: string): FactoredErrorCode {
  if (NETWORK_CODES.has(sqlstate)) return 'unavailable';
  switch (sqlstate) {
    case '42501':
      return 'unauthorized';
    case 'P0002':
    case '23503':
      return 'not_found';
    case '23505':
    case 'FU409':
      return 'conflict';
    case 'FU422':
      return 'insufficient_data';
    case '23502':
    case '23514':
    case 'FU400':
      return 'invalid_input';
    case '40001':
    case '40P01':
      return 'unavailable';
  }
  const sqlClass = sqlstate.slice(0, 2);
  if (sqlClass === '22') return 'invalid_input';
  if (sqlClass === '08' || sqlClass === '53' || sqlstate.startsWith('57P')) return 'unavailable';
  return 'internal';
}

/**
 * Our functions put structured details in the error DETAIL as a JSON object (e.g.
 * `{"experimentId": "..."}`); anything else is kept as `detail`.
 */
function parseDetail(detail: string): Record<string, unknown> {
  if (detail.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(detail);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        return parsed as Record<string, unknown>;
      }
    } catch {
      // Not JSON: fall through and keep the text.
    }
  }
  return { detail };
}

const ADVICE: Partial<Record<FactoredErrorCode, string>> = {
  unauthorized:
    'The role of this store may not do this; use a service store (service_role) for definitions and maintenance.',
  unavailable: 'The database could not be reached or was busy; retry later.',
  internal:
    'Unexpected database error; check that the factoredui migrations are applied, and report it if they are.',
};

/**
 * Turns anything a gateway rejected with into a {@link FactoredError}. A `FactoredError` passes
 * through unchanged; an error with a SQLSTATE `code` is mapped with {@link sqlStateToCode};
 * anything else becomes `unavailable` when it looks like a network failure, else `internal`.
 *
 * @param operation - The store method, named in the message (e.g. `insertEvents`).
 */
export function mapSqlError(error: unknown, operation: string): FactoredError {
  if (error instanceof FactoredError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as SqlErrorLike;
  const sqlstate = typeof e.code === 'string' ? e.code : undefined;
  const rawMessage =
    typeof e.message === 'string' && e.message.length > 0 ? e.message : String(error);
  let code: FactoredErrorCode;
  if (sqlstate !== undefined) code = sqlStateToCode(sqlstate);
  else if (error instanceof TypeError && /fetch|network/i.test(rawMessage)) code = 'unavailable';
  else code = 'internal';
  // Our own RAISEs already say what to do; database-generated messages get advice appended.
  const ownRaise =
    sqlstate === '22023' ||
    sqlstate === 'P0002' ||
    sqlstate === 'FU409' ||
    (sqlstate === '42501' && rawMessage.includes('factoredui'));
  const advice = ownRaise ? undefined : ADVICE[code];
  const message = `${operation}: ${rawMessage}${advice ? ` ${advice}` : ''}`;
  const details: Record<string, unknown> = {};
  if (sqlstate !== undefined) details.sqlstate = sqlstate;
  const detail = e.detail ?? e.details;
  if (typeof detail === 'string' && detail.length > 0) Object.assign(details, parseDetail(detail));
  if (typeof e.hint === 'string' && e.hint.length > 0) details.hint = e.hint;
  return new FactoredError(code, message, { cause: error, details });
}
