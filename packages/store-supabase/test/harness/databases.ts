import type { StoreHarness } from '@factoredui/core/testing';
import { createPostgresStore, type PostgresConnection } from '@factoredui/store-supabase';
import pg from 'pg';
import { pgliteFromSnapshot } from './pglite-snapshot.js';
import { serverTemplateName } from './server-template.js';
import { dumpTables, type RowSource } from './tables.js';

/**
 * A pg.Pool for a test database whose connections ignore errors that arrive outside a query. A
 * connection still closing when its database is dropped WITH (FORCE) receives the server's
 * FATAL 57P01 after the pool has let go of it, which would otherwise be an unhandled 'error'
 * event failing the run (seen in CI). Queries still reject with their own errors.
 */
export function createTestPool(connectionString: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  return pool;
}

/** Every data table, emptied between tests (the factor catalog and migration log stay). */
const DATA_TABLES = [
  'governance_log',
  'metrics',
  'metric_plans',
  'thresholds',
  'exposures',
  'assignments',
  'experiments',
  'spec_pointers',
  'specs',
  'clusters',
  'factor_snapshots',
  'pair_factors',
  'aggregate_releases',
  'aggregate_release_cohorts',
  'events',
  'sessions',
  'erasure_log',
  'lifecycle_settings',
  'holdout',
].map((t) => `factoredui.${t}`);

/** A migrated database for one test file, with an owner connection and a teardown. */
export interface TestDatabase {
  /** `pglite` or `postgres`. */
  kind: 'pglite' | 'postgres';
  /** The owner connection (superuser); stores switch roles per call on it. */
  sql: PostgresConnection;
  /** Empties every data table. */
  reset(): Promise<void>;
  /**
   * Runs raw SQL in a transaction as `role` with JWT `claims` (what PostgREST does), rolls it
   * back, and returns `'ok'` or the SQLSTATE it failed with.
   */
  tryAs(role: string, claims: object, statement: string, params?: unknown[]): Promise<string>;
  /**
   * Like {@link TestDatabase.tryAs}, but returns the rows the statement read (what a client
   * with that role and those claims would see); throws when it fails.
   */
  selectAs(
    role: string,
    claims: object,
    statement: string,
    params?: unknown[],
  ): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

type Queryable = { query(text: string, params?: unknown[]): Promise<unknown> };

async function runAs(
  client: Queryable,
  role: string,
  claims: object,
  statement: string,
  params: unknown[] = [],
): Promise<Record<string, unknown>[]> {
  await client.query('begin');
  try {
    await client.query(
      `select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`,
      [role, JSON.stringify(claims)],
    );
    const result = (await client.query(statement, params)) as { rows?: Record<string, unknown>[] };
    return result.rows ?? [];
  } finally {
    await client.query('rollback');
  }
}

async function tryAsOn(
  client: Queryable,
  role: string,
  claims: object,
  statement: string,
  params: unknown[] = [],
): Promise<string> {
  try {
    await runAs(client, role, claims, statement, params);
    return 'ok';
  } catch (error) {
    return String((error as { code?: unknown }).code);
  }
}

/**
 * A fresh in-process PGlite database with the bootstrap and migrations applied, started from
 * the migrated snapshot (see pglite-snapshot.ts) instead of running initdb and the migrations.
 */
export async function createPGliteDatabase(): Promise<TestDatabase> {
  const db = await pgliteFromSnapshot('migrated');
  return {
    kind: 'pglite',
    sql: db,
    reset: async () => {
      await db.exec(`truncate ${DATA_TABLES.join(', ')} restart identity cascade`);
    },
    tryAs: (role, claims, statement, params) => tryAsOn(db, role, claims, statement, params),
    selectAs: (role, claims, statement, params) => runAs(db, role, claims, statement, params),
    close: () => db.close(),
  };
}

/** The server URL when the PostgreSQL suite should run (CI sets `DATABASE_URL`). */
export const DATABASE_URL = process.env.DATABASE_URL;

/**
 * A fresh database on the server of `DATABASE_URL`, named uniquely so test files running in
 * parallel never collide, copied from the migrated template database (made once per set of
 * migrations, see server-template.ts); dropped on close.
 */
export async function createServerDatabase(label: string): Promise<TestDatabase> {
  if (!DATABASE_URL) throw new Error('DATABASE_URL is not set');
  const template = await serverTemplateName(DATABASE_URL);
  const name = `factoredui_test_${label}_${process.pid}_${Date.now().toString(36)}`.toLowerCase();
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name} template ${template}`);
  } finally {
    await admin.end();
  }
  const url = new URL(DATABASE_URL);
  url.pathname = `/${name}`;
  const pool = createTestPool(url.toString(), 4);
  return {
    kind: 'postgres',
    sql: pool,
    reset: async () => {
      await pool.query(`truncate ${DATA_TABLES.join(', ')} restart identity cascade`);
    },
    tryAs: async (role, claims, statement, params) => {
      const client = await pool.connect();
      try {
        return await tryAsOn(client, role, claims, statement, params);
      } finally {
        client.release();
      }
    },
    selectAs: async (role, claims, statement, params) => {
      const client = await pool.connect();
      try {
        return await runAs(client, role, claims, statement, params);
      } finally {
        client.release();
      }
    },
    close: async () => {
      await pool.end();
      const cleanup = new pg.Client({ connectionString: DATABASE_URL });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

/** The conformance harness over a test database: stores switch role per call. */
export function harnessFor(database: TestDatabase): StoreHarness {
  return {
    user: async (userId) => createPostgresStore(database.sql, { as: { userId } }),
    service: async () => createPostgresStore(database.sql, { as: 'service' }),
    anon: async () => createPostgresStore(database.sql, { as: 'anon' }),
    tables: () => dumpTables(database.sql as RowSource),
    reset: () => database.reset(),
    close: () => database.close(),
  };
}

/**
 * An empty database that nothing was migrated into (PGlite from the bare snapshot, or a new
 * database on the server of `DATABASE_URL`), for tests that build a database from another
 * starting point (e.g. a FactoredUI 0.5.1 schema) and migrate it themselves.
 */
export async function createUnmigratedDatabase(
  kind: 'pglite' | 'postgres',
  label: string,
): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const db = await pgliteFromSnapshot('bare');
    return {
      kind,
      sql: db,
      reset: async () => {
        await db.exec(`truncate ${DATA_TABLES.join(', ')} restart identity cascade`);
      },
      tryAs: (role, claims, statement, params) => tryAsOn(db, role, claims, statement, params),
      selectAs: (role, claims, statement, params) => runAs(db, role, claims, statement, params),
      close: () => db.close(),
    };
  }
  if (!DATABASE_URL) throw new Error('DATABASE_URL is not set');
  const name = `factoredui_test_${label}_${process.pid}_${Date.now().toString(36)}`.toLowerCase();
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(DATABASE_URL);
  url.pathname = `/${name}`;
  const pool = createTestPool(url.toString(), 4);
  return {
    kind,
    sql: pool,
    reset: async () => {
      await pool.query(`truncate ${DATA_TABLES.join(', ')} restart identity cascade`);
    },
    tryAs: async (role, claims, statement, params) => {
      const client = await pool.connect();
      try {
        return await tryAsOn(client, role, claims, statement, params);
      } finally {
        client.release();
      }
    },
    selectAs: async (role, claims, statement, params) => {
      const client = await pool.connect();
      try {
        return await runAs(client, role, claims, statement, params);
      } finally {
        client.release();
      }
    },
    close: async () => {
      await pool.end();
      const cleanup = new pg.Client({ connectionString: DATABASE_URL });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}
