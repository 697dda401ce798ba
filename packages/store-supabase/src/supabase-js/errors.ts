import { FactoredError, type FactoredErrorCode } from '@factoredui/core';
import type { PostgrestErrorLike } from './client.js';

/** HTTP statuses after which a retry may succeed (gateway and upstream failures). */
const UNAVAILABLE_STATUSES = new Set([0, 408, 425, 429, 502, 503, 504, 520, 521, 522, 523, 524]);

/** PostgREST's own error codes that the transport gives a specific meaning. */
const POSTGREST_CODES: Record<string, { code: FactoredErrorCode; advice: string }> = {
  PGRST301: {
    code: 'unauthorized',
    advice: 'The access token was rejected (invalid or expired): sign the user in again.',
  },
  PGRST302: {
    code: 'unauthorized',
    advice: 'Anonymous access is disabled for this API: sign the user in first.',
  },
  PGRST303: {
    code: 'unauthorized',
    advice: 'The access token claims were rejected: sign the user in again.',
  },
  PGRST106: {
    code: 'internal',
    advice:
      'The factoredui schema is not exposed by the API: add "factoredui" to the exposed schemas ' +
      '(Supabase dashboard -> Project Settings -> API, or `schemas` in supabase/config.toml).',
  },
  PGRST202: {
    code: 'internal',
    advice:
      'A factoredui SQL function is missing: apply the migrations copied by `npx factoredui init` ' +
      '(`supabase db push`), then reload the API schema cache.',
  },
  PGRST000: {
    code: 'unavailable',
    advice: 'The API could not connect to the database; retry later.',
  },
  PGRST001: { code: 'unavailable', advice: 'The API lost its database connection; retry later.' },
  PGRST002: { code: 'unavailable', advice: 'The API schema cache is not ready yet; retry later.' },
  PGRST003: {
    code: 'unavailable',
    advice: 'The API timed out waiting for a connection; retry later.',
  },
};

/**
 * A database error relayed by PostgREST: `code` is the SQLSTATE the factoredui function raised
 * (as `pg` and PGlite report it), so the SQL store maps it with the same table as the direct
 * transport (`mapSqlError`). `status` is the HTTP status PostgREST chose for it.
 */
export class PostgrestDatabaseError extends Error {
  override readonly name = 'PostgrestDatabaseError';
  /** The SQLSTATE. */
  readonly code: string;
  /** PostgreSQL's DETAIL, if any. */
  readonly detail: string | undefined;
  /** PostgreSQL's HINT, if any. */
  readonly hint: string | undefined;
  /** The HTTP status of the response. */
  readonly status: number;

  constructor(error: PostgrestErrorLike & { code: string }, status: number) {
    super(error.message);
    this.code = error.code;
    this.detail = error.details ?? undefined;
    this.hint = error.hint ?? undefined;
    this.status = status;
  }
}

/** True for a SQLSTATE (five characters of digits and capitals), false for `PGRST...` codes. */
function isSqlState(code: string): boolean {
  return /^[0-9A-Z]{5}$/.test(code);
}

/**
 * Turns a supabase-js RPC failure into what the SQL store expects from a gateway: a
 * {@link PostgrestDatabaseError} carrying the SQLSTATE when the database raised it (mapped by
 * the store like any direct-SQL error), or a {@link FactoredError} for what only PostgREST
 * and the network can fail with (token rejected, schema not exposed, function missing, gateway
 * down).
 *
 * @param fn - the SQL function that was called, named in the message.
 */
export function mapPostgrestError(
  error: PostgrestErrorLike,
  status: number,
  fn: string,
): FactoredError | PostgrestDatabaseError {
  const code = error.code ?? '';
  if (isSqlState(code)) return new PostgrestDatabaseError({ ...error, code }, status);
  const details: Record<string, unknown> = { function: fn, status };
  if (code) details.postgrestCode = code;
  if (error.details) details.detail = error.details;
  if (error.hint) details.hint = error.hint;
  const known = POSTGREST_CODES[code];
  if (known) {
    return new FactoredError(known.code, `factoredui.${fn}: ${known.advice} (${error.message})`, {
      cause: error,
      details,
    });
  }
  if (UNAVAILABLE_STATUSES.has(status)) {
    return new FactoredError(
      'unavailable',
      `factoredui.${fn}: the Supabase API could not be reached or is overloaded (${error.message}); retry later.`,
      { cause: error, details },
    );
  }
  if (status === 401 || status === 403) {
    return new FactoredError(
      'unauthorized',
      `factoredui.${fn}: the Supabase API refused the request (${error.message}); check the API key and sign in again.`,
      { cause: error, details },
    );
  }
  return new FactoredError(
    'internal',
    `factoredui.${fn}: unexpected answer from the Supabase API (HTTP ${status}: ${error.message}); check that the factoredui migrations are applied.`,
    { cause: error, details },
  );
}
