import { FactoredError } from '../errors.js';

/** A point in time accepted by the API: a `Date`, an ISO 8601 string or epoch milliseconds. */
export type TimeInput = Date | string | number;

/**
 * Parses a {@link TimeInput} into epoch milliseconds, throwing `invalid_input` (naming
 * `field`) when it is not a valid time.
 */
export function toEpochMs(value: TimeInput, field = 'time'): number {
  const ms =
    value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (typeof value === 'string' && !/^\d{4}-\d{2}-\d{2}/.test(value)) {
    throw new FactoredError(
      'invalid_input',
      `${field} must be an ISO 8601 date, got ${JSON.stringify(value)}.`,
    );
  }
  if (!Number.isFinite(ms)) {
    throw new FactoredError(
      'invalid_input',
      `${field} must be a valid date, got ${String(value)}.`,
    );
  }
  return ms;
}

/** Normalizes a {@link TimeInput} to an ISO 8601 UTC string with milliseconds. */
export function toIsoString(value: TimeInput, field = 'time'): string {
  return new Date(toEpochMs(value, field)).toISOString();
}
