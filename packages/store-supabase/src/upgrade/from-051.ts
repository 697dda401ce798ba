import { mapSqlError } from '../errors.js';
import {
  connectionKind,
  type PGliteLike,
  type PgPoolLike,
  type PostgresConnection,
  type SqlQueryable,
} from '../postgres/connection.js';
import { migrate, readBootstrap, readMigrations } from '../postgres/migrate.js';

/** The schema a FactoredUI 0.5.1 database is renamed to by the upgrade (kept, never dropped). */
export const LEGACY_051_SCHEMA = 'factoredui_051';

/**
 * What the upgrade from 0.5.1 does with one legacy table. Every legacy row is accounted for:
 * `legacyRows = present + moved + skipped + gone`.
 */
export interface UpgradeStepReport {
  /** The 0.5.1 table (`sessions`, `events`, `experiment_assignments`, `ui_specs`, ...). */
  step: string;
  /** The table it moves into (`factoredui.assignments`), `null` for data kept in the old schema only. */
  target: string | null;
  /** Rows of the legacy table (for `ui_specs`: spec versions × platforms of `ui_active`). */
  legacyRows: number;
  /** Rows whose counterpart was already in the new schema before this run. */
  present: number;
  /** Rows this run copied (in a dry run: would copy). */
  moved: number;
  /** Rows that cannot be represented in the new schema; counted per reason in `reasons`. */
  skipped: number;
  /** Rows moved by an earlier run and deleted from the new schema since; never moved again. */
  gone: number;
  /** Skipped rows per reason. */
  reasons: Record<string, number>;
}

/** Result of {@link planUpgradeFrom051}. */
export interface UpgradePlan {
  /** Where the 0.5.1 tables are: `factoredui` (not upgraded yet), `factoredui_051`, or `null` (none). */
  legacySchema: 'factoredui' | typeof LEGACY_051_SCHEMA | null;
  /** Migrations the upgrade would apply, in order. */
  pendingMigrations: string[];
  /** What each step would do. */
  steps: UpgradeStepReport[];
}

/** Result of {@link upgradeFrom051}. */
export interface UpgradeResult {
  /** Migrations applied by this call. */
  applied: string[];
  /** What the run that finished each step moved (recorded in `factoredui.upgrade_051_steps`). */
  recorded: UpgradeStepReport[];
  /** This call's own run of the move after the migrations: moves only what an interrupted run left. */
  steps: UpgradeStepReport[];
}

/** Options of {@link planUpgradeFrom051} and {@link upgradeFrom051}. */
export interface UpgradeOptions {
  /** Run the plain-PostgreSQL/PGlite bootstrap first (as `migrate`); never on Supabase. */
  bootstrap?: boolean;
}

function toReport(value: unknown): UpgradeStepReport {
  const row = (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown>;
  return {
    step: String(row.step),
    target: row.target === null || row.target === undefined ? null : String(row.target),
    legacyRows: Number(row.legacy_rows),
    present: Number(row.present),
    moved: Number(row.moved),
    skipped: Number(row.skipped),
    gone: Number(row.gone),
    reasons: Object.fromEntries(
      Object.entries((row.reasons ?? {}) as Record<string, unknown>).map(([k, v]) => [
        k,
        Number(v),
      ]),
    ),
  };
}

/** Runs `work` on one session (a pool hands out one client), so a transaction spans calls. */
async function withSession<T>(
  sql: PostgresConnection,
  work: (session: {
    script(text: string): Promise<void>;
    query: SqlQueryable['query'];
  }) => Promise<T>,
): Promise<T> {
  const kind = connectionKind(sql);
  if (kind === 'pglite') {
    const db = sql as PGliteLike;
    return work({
      script: async (text) => void (await db.exec(text)),
      query: (t, p) => db.query(t, p),
    });
  }
  if (kind === 'pool') {
    const client = await (sql as PgPoolLike).connect();
    try {
      return await work({
        script: async (text) => void (await client.query(text)),
        query: (t, p) => client.query(t, p),
      });
    } finally {
      client.release();
    }
  }
  const client = sql as SqlQueryable;
  return work({
    script: async (text) => void (await client.query(text)),
    query: (t, p) => client.query(t, p),
  });
}

async function exists(session: { query: SqlQueryable['query'] }, text: string): Promise<boolean> {
  const { rows } = await session.query(`select exists (${text}) as found`);
  return rows[0]?.found === true;
}

/** Migrations not applied yet: the runner's log, else the Supabase CLI's, else all of them. */
async function pendingMigrations(session: { query: SqlQueryable['query'] }): Promise<string[]> {
  const all = readMigrations().map((m) => m.name);
  if (
    await exists(
      session,
      `select 1 from information_schema.tables where table_schema in ('factoredui', '${LEGACY_051_SCHEMA}') and table_name = 'schema_migrations'`,
    )
  ) {
    const schema = (
      await session.query(
        `select table_schema from information_schema.tables where table_name = 'schema_migrations' and table_schema in ('factoredui', '${LEGACY_051_SCHEMA}') order by table_schema = 'factoredui' desc limit 1`,
      )
    ).rows[0]?.table_schema as string;
    const { rows } = await session.query(`select name from ${schema}.schema_migrations`);
    const done = new Set(rows.map((r) => String(r.name)));
    return all.filter((name) => !done.has(name));
  }
  if (
    await exists(
      session,
      `select 1 from information_schema.tables where table_schema = 'supabase_migrations' and table_name = 'schema_migrations'`,
    )
  ) {
    const { rows } = await session.query(
      'select version from supabase_migrations.schema_migrations',
    );
    const done = new Set(rows.map((r) => String(r.version)));
    return all.filter((name) => !done.has(name.split('_')[0] ?? name));
  }
  return all;
}

/**
 * `factoredui upgrade --dry-run`: what upgrading this database from FactoredUI 0.5.1 would move,
 * per legacy table, without changing anything. Applies the pending migrations and the move's
 * accounting in one transaction and rolls it back, so the plan is computed by the very SQL the
 * upgrade runs. Connect as the database owner.
 */
export async function planUpgradeFrom051(
  sql: PostgresConnection,
  options: UpgradeOptions = {},
): Promise<UpgradePlan> {
  try {
    return await withSession(sql, async (session) => {
      await session.script('begin');
      try {
        if (options.bootstrap) await session.script(readBootstrap());
        const legacySchema = (await exists(
          session,
          `select 1 from information_schema.columns where table_schema = 'factoredui' and table_name = 'events' and column_name = 'component_path'`,
        ))
          ? 'factoredui'
          : (await exists(
                session,
                `select 1 from information_schema.tables where table_schema = '${LEGACY_051_SCHEMA}' and table_name = 'events'`,
              ))
            ? LEGACY_051_SCHEMA
            : null;
        const pending = await pendingMigrations(session);
        await session.script(
          `set local factoredui.upgrade_dry_run = 'on';
           create schema if not exists factoredui;
           create table if not exists factoredui.schema_migrations (
             name text primary key, applied_at timestamptz not null default now());`,
        );
        const byName = new Map(readMigrations().map((m) => [m.name, m.sql]));
        for (const name of pending) await session.script(byName.get(name) ?? '');
        const { rows } = await session.query(
          'select r as report from factoredui.upgrade_from_051(true) r',
        );
        return {
          legacySchema,
          pendingMigrations: pending,
          steps: rows.map((r) => toReport(r.report)),
        };
      } finally {
        await session.script('rollback');
      }
    });
  } catch (error) {
    throw mapSqlError(error, 'upgrade --dry-run');
  }
}

/**
 * Upgrades a database from FactoredUI 0.5.1: applies the migrations (which rename the 0.5.1
 * schema to `factoredui_051` and move its data), then runs the move once more, which resumes an
 * interrupted upgrade and otherwise moves nothing. Idempotent. Connect as the database owner; on
 * Supabase, `supabase db push` of the shipped migrations does the same.
 */
export async function upgradeFrom051(
  sql: PostgresConnection,
  options: UpgradeOptions = {},
): Promise<UpgradeResult> {
  const applied = await migrate(sql, { bootstrap: options.bootstrap === true });
  try {
    const steps = (
      await sql.query('select r as report from factoredui.upgrade_from_051(false) r')
    ).rows.map((r) => toReport(r.report));
    const order = new Map(steps.map((s, i) => [s.step, i]));
    const recorded = (await sql.query('select report from factoredui.upgrade_051_steps')).rows
      .map((r) => toReport(r.report))
      .sort((a, b) => (order.get(a.step) ?? 99) - (order.get(b.step) ?? 99));
    return { applied, recorded, steps };
  } catch (error) {
    throw mapSqlError(error, 'upgrade');
  }
}
