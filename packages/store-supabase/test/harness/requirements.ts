export { describeWhen } from '../../../../scripts/test/requirements.js';

/** The reason printed for suites that need a PostgreSQL server. */
export const NEEDS_DATABASE_URL =
  'needs a PostgreSQL server: set DATABASE_URL (e.g. postgres://postgres:postgres@127.0.0.1:5432/postgres); .ci/run starts one';
