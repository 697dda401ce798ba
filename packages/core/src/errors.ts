/**
 * Stable error codes. Codes never change meaning between releases; match on `code`, not on
 * `message`.
 *
 * - `invalid_input`: the caller passed something malformed; the message names the field.
 * - `not_found`: the referenced row (session, experiment, spec...) does not exist or is not
 *   visible to the caller.
 * - `conflict`: the write contradicts stored state (duplicate name, illegal transition).
 * - `unauthorized`: the caller's role may not perform this operation.
 * - `unavailable`: the backend could not be reached; retrying later may succeed.
 * - `insufficient_data`: a result is withheld (for example an aggregate over fewer than 5
 *   users).
 * - `verification_failed`: a signed payload failed hash, signature or policy checks.
 * - `internal`: a bug or an unexpected backend answer; please report it.
 * - `legacy_call`: a FactoredUI 0.5.1 call shape that cannot keep working; the message names
 *   the current form (see MIGRATING.md).
 */
export type FactoredErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'conflict'
  | 'unauthorized'
  | 'unavailable'
  | 'insufficient_data'
  | 'verification_failed'
  | 'internal'
  | 'legacy_call';

/** Options for {@link FactoredError}. */
export interface FactoredErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown;
  /** Structured details (field names, ids) that tooling may display. */
  details?: Record<string, unknown>;
}

/**
 * The one error type every FactoredUI API throws. `code` is stable; `message` says what is
 * wrong and what to do about it.
 */
export class FactoredError extends Error {
  override readonly name = 'FactoredError';
  readonly code: FactoredErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: FactoredErrorCode, message: string, options: FactoredErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }
}

/** True when `error` is a {@link FactoredError}, optionally with the given code. */
export function isFactoredError(error: unknown, code?: FactoredErrorCode): error is FactoredError {
  return error instanceof FactoredError && (code === undefined || error.code === code);
}

/** Throws `invalid_input` with `message` unless `condition` holds. */
export function assertInput(
  condition: unknown,
  message: string,
  details?: Record<string, unknown>,
): asserts condition {
  if (!condition) throw new FactoredError('invalid_input', message, details ? { details } : {});
}
