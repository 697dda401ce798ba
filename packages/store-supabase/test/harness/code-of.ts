import { type FactoredError, isFactoredError } from '@factoredui/core';

/**
 * The `FactoredError` code a call fails with, or `'resolved'` when it succeeds; anything else
 * it throws is rethrown. Lets an attack test assert every outcome in one `expect`.
 */
export async function codeOf(
  promise: Promise<unknown>,
): Promise<FactoredError['code'] | 'resolved'> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    if (!isFactoredError(error)) throw error;
    return error.code;
  }
}
