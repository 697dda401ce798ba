import type { FactoredStore } from '@factoredui/core';
import type { PostgresConnection } from '../postgres/connection.js';
import { createPostgresStore } from '../postgres/gateway.js';
import { createSupabaseStore } from '../supabase-js/store.js';
import { CliError, type CliIo, type OptionSpec, type ParsedCommand, stringOption } from './args.js';

/** The connection options shared by the commands that reach a database. */
export const CONNECTION_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  'database-url': {
    type: 'string',
    value: '<url>',
    description:
      'postgres://... (direct SQL, service role) or pglite://<dir>. Default: $DATABASE_URL.',
  },
};

/** Help note on how commands connect. */
export const CONNECTION_NOTE =
  'Connection (service role): --database-url or DATABASE_URL for direct SQL (postgres://, or\n' +
  'pglite://<dir> for an embedded PGlite database on disk); otherwise SUPABASE_URL with\n' +
  'SUPABASE_SERVICE_ROLE_KEY through the Supabase API.';

/** A connected service-role store and how to release it. */
export interface Connection {
  store: FactoredStore;
  /** Human-readable target, without credentials. */
  describe: string;
  close(): Promise<void>;
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}

async function importOptional<T>(specifier: string, purpose: string): Promise<T> {
  try {
    return (await import(specifier)) as T;
  } catch (error) {
    throw new CliError(
      `${purpose} needs the optional package "${specifier}": install it next to @factoredui/store-supabase (npm install ${specifier}). (${(error as Error).message})`,
    );
  }
}

/** Realtime transport placeholder: the CLI never subscribes, and Node 20 has no WebSocket. */
class NoWebSocket {
  constructor() {
    throw new Error('The factoredui CLI does not use Supabase Realtime.');
  }
}

/** A direct SQL connection (pg pool or PGlite) and how to release it. */
export interface DirectConnection {
  sql: PostgresConnection;
  describe: string;
  close(): Promise<void>;
}

/**
 * Opens `databaseUrl` directly: `pglite://<dir>` (embedded PGlite on disk) or
 * `postgres://...` (a small node-postgres pool).
 */
export async function openDatabase(databaseUrl: string): Promise<DirectConnection> {
  if (databaseUrl.startsWith('pglite://')) {
    const dir = databaseUrl.slice('pglite://'.length);
    if (dir === '') {
      throw new CliError('pglite:// needs a directory, e.g. pglite://./.factoredui-db', {
        exitCode: 2,
      });
    }
    const { PGlite } = await importOptional<typeof import('@electric-sql/pglite')>(
      '@electric-sql/pglite',
      'A pglite:// database',
    );
    const db = new PGlite(dir);
    await db.waitReady;
    return { sql: db, describe: `PGlite database ${dir}`, close: () => db.close() };
  }
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new CliError(
      `Unsupported database URL ${redact(databaseUrl)}: use postgres://user:password@host:5432/db or pglite://<dir>.`,
      { exitCode: 2 },
    );
  }
  const pg = await importOptional<typeof import('pg')>('pg', 'A postgres:// database');
  const Pool = pg.Pool ?? (pg as unknown as { default: typeof import('pg') }).default.Pool;
  const pool = new Pool({ connectionString: databaseUrl, max: 2 });
  return {
    // pg's Pool is a PgPoolLike at runtime; its overloaded `on` typing does not match structurally.
    sql: pool as unknown as PostgresConnection,
    describe: `PostgreSQL ${redact(databaseUrl)}`,
    close: () => pool.end(),
  };
}

/** The `--database-url` option, else `DATABASE_URL`. */
export function databaseUrlOf(io: CliIo, args: ParsedCommand): string | undefined {
  return stringOption(args, 'database-url') ?? io.env.DATABASE_URL;
}

/** Opens a service-role store from the command's options and the environment. */
export async function connect(io: CliIo, args: ParsedCommand): Promise<Connection> {
  const databaseUrl = databaseUrlOf(io, args);
  if (databaseUrl) {
    const direct = await openDatabase(databaseUrl);
    return {
      store: createPostgresStore(direct.sql, { as: 'service' }),
      describe: direct.describe,
      close: direct.close,
    };
  }
  const url = io.env.SUPABASE_URL;
  const key = io.env.SUPABASE_SERVICE_ROLE_KEY;
  if (url && key) {
    const { createClient } = await import('@supabase/supabase-js');
    const client = createClient(url, key, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      realtime: { transport: NoWebSocket as unknown as typeof WebSocket },
    });
    return {
      store: createSupabaseStore(client, { role: 'service' }),
      describe: `Supabase ${url}`,
      // Nothing to release: the CLI opens no realtime channel, and `removeAllChannels()` would
      // start realtime's disconnect timer and keep the process alive for seconds.
      close: async () => undefined,
    };
  }
  if (url && !key) {
    throw new CliError(
      'SUPABASE_URL is set but SUPABASE_SERVICE_ROLE_KEY is not; the CLI needs the service-role key.',
      {
        exitCode: 2,
      },
    );
  }
  throw new CliError(
    'No database to connect to: pass --database-url (or set DATABASE_URL) for direct SQL, or set SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY.',
    { exitCode: 2 },
  );
}

/** Runs `fn` with a connected store and always closes the connection. */
export async function withStore<T>(
  io: CliIo,
  args: ParsedCommand,
  fn: (connection: Connection) => Promise<T>,
): Promise<T> {
  const connection = await connect(io, args);
  try {
    return await fn(connection);
  } finally {
    await connection.close();
  }
}
