import { expect } from 'vitest';
import { FactoredError } from '../errors.js';

/**
 * Awaits `promise`, asserts it rejects with a {@link FactoredError} of `code`, and returns the
 * error for further assertions.
 */
export async function expectCode(
  promise: Promise<unknown>,
  code: FactoredError['code'],
): Promise<FactoredError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected a FactoredError with code ${code}`).toBeInstanceOf(FactoredError);
  expect((error as FactoredError).code).toBe(code);
  return error as FactoredError;
}
