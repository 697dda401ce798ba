import pg from 'pg';
import { migrate } from '../../src/migrate.js';
import { migrationsFingerprint } from './fingerprint.js';

/**
 * The migrated template database on the server of `DATABASE_URL`.
 *
 * Each SQL test file gets its own database; copying a migrated template (`create database …
 * template …`) is a file copy on the server, where migrating a new database runs every
 * migration again. The template is made once per set of migrations (its name carries the
 * fingerprint) under an advisory lock, so parallel test files build it once; templates of older
 * migrations are dropped then. Nothing ever connects to the template after it is built, which
 * `create database … template` requires.
 */
export async function serverTemplateName(databaseUrl: string): Promise<string> {
  const name = `factoredui_template_${migrationsFingerprint()}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    // Any fixed key: it serializes template builders across processes.
    await admin.query('select pg_advisory_lock(72604911)');
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (rowCount === 0) await buildTemplate(admin, databaseUrl, name);
    return name;
  } finally {
    await admin.query('select pg_advisory_unlock(72604911)').catch(() => undefined);
    await admin.end();
  }
}

async function buildTemplate(admin: pg.Client, databaseUrl: string, name: string): Promise<void> {
  const building = `${name}_building`;
  await admin.query(`drop database if exists ${building} with (force)`);
  await admin.query(`create database ${building}`);
  const url = new URL(databaseUrl);
  url.pathname = `/${building}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await migrate(client, { bootstrap: true });
  } finally {
    await client.end();
  }
  await admin.query(`alter database ${building} rename to ${name}`);
  const { rows } = await admin.query<{ datname: string }>(
    `select datname from pg_database where datname like 'factoredui\\_template\\_%' and datname <> $1`,
    [name],
  );
  for (const row of rows) await admin.query(`drop database if exists ${row.datname} with (force)`);
}
