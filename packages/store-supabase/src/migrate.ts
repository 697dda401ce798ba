/**
 * `@factoredui/store-supabase/migrate` (Node only): the shipped SQL migrations and a runner for
 * plain PostgreSQL and PGlite.
 *
 * @packageDocumentation
 */
export {
  type MigrateOptions,
  type Migration,
  migrate,
  readBootstrap,
  readMigrations,
  supabaseDirectory,
} from './postgres/migrate.js';
export {
  LEGACY_051_SCHEMA,
  planUpgradeFrom051,
  type UpgradeOptions,
  type UpgradePlan,
  type UpgradeResult,
  type UpgradeStepReport,
  upgradeFrom051,
} from './upgrade/from-051.js';
