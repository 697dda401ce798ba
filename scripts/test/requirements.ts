import { describe } from 'vitest';

declare module 'vitest' {
  interface TaskMeta {
    /** Why a suite is skipped (set by `describeWhen`); the summary reporter prints it once. */
    skipReason?: string;
  }
}

/**
 * `describe` that runs only when `condition` holds, and otherwise skips the whole group with
 * `reason`, which the summary reporter (summary-reporter.ts) prints once at the end of the run
 * with the number of tests it skipped.
 *
 * @example
 * describeWhen(Boolean(process.env.DATABASE_URL), 'needs DATABASE_URL')('on a server', () => {…});
 */
export function describeWhen(condition: boolean, reason: string) {
  return (name: string, body: () => void) =>
    describe(name, { skip: !condition, meta: { skipReason: reason } }, body);
}
