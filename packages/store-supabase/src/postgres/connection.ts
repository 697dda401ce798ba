/**
 * The few methods of `pg` and PGlite the direct-SQL transport uses, typed structurally so this
 * package needs neither at runtime (both are optional peer dependencies).
 */

/** A query result: rows as objects. */
export interface SqlRows {
  rows: Record<string, unknown>[];
}

/** Something that runs one parameterized statement. */
export interface SqlQueryable {
  query(text: string, params?: unknown[]): Promise<SqlRows>;
}

/** A `pg` client checked out of a pool. */
export interface PgPoolClientLike extends SqlQueryable {
  release(error?: Error | boolean): void;
}

/** A `pg` `Pool` (node-postgres). */
export interface PgPoolLike extends SqlQueryable {
  connect(): Promise<PgPoolClientLike>;
  readonly totalCount: number;
}

/** A connected `pg` `Client` (node-postgres). Its `notification` events carry LISTEN/NOTIFY. */
export type PgClientLike = SqlQueryable;

/** The event-emitter side of a `pg` client, used for LISTEN/NOTIFY. */
export interface NotificationEmitter {
  on(
    event: 'notification',
    listener: (message: { channel: string; payload?: string }) => void,
  ): unknown;
  removeListener(
    event: 'notification',
    listener: (message: { channel: string; payload?: string }) => void,
  ): unknown;
}

/** A PGlite instance (`@electric-sql/pglite`). */
export interface PGliteLike extends SqlQueryable {
  exec(text: string): Promise<unknown>;
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  listen?(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>>;
}

/** What `createPostgresStore` accepts: a `pg` Pool or connected Client, or a PGlite instance. */
export type PostgresConnection = PgPoolLike | PgClientLike | PGliteLike;

/** The connection kinds, told apart by shape. */
export type ConnectionKind = 'pglite' | 'pool' | 'client';

/** Which kind of connection `sql` is. */
export function connectionKind(sql: PostgresConnection): ConnectionKind {
  const candidate = sql as Partial<PGliteLike & PgPoolLike>;
  if (typeof candidate.exec === 'function' && typeof candidate.transaction === 'function') {
    return 'pglite';
  }
  if (typeof candidate.connect === 'function' && typeof candidate.totalCount === 'number') {
    return 'pool';
  }
  return 'client';
}

/** Runs multi-statement SQL (a migration file) outside any transaction of ours. */
export async function execScript(sql: PostgresConnection, script: string): Promise<void> {
  if (connectionKind(sql) === 'pglite') await (sql as PGliteLike).exec(script);
  // Without parameters, node-postgres uses the simple protocol, which accepts many statements.
  else await sql.query(script);
}

/** Serializes work on one `pg` Client, whose transactions must not interleave. */
const clientQueues = new WeakMap<object, Promise<unknown>>();

/**
 * Runs `work` inside one transaction on `sql` and commits, or rolls back when it throws. For a
 * pool, a client is checked out for the duration; for a single client, calls are queued.
 */
export async function inTransaction<T>(
  sql: PostgresConnection,
  work: (tx: SqlQueryable) => Promise<T>,
): Promise<T> {
  const kind = connectionKind(sql);
  if (kind === 'pglite') return (sql as PGliteLike).transaction(work);
  const run = async (client: SqlQueryable): Promise<T> => {
    await client.query('begin');
    try {
      const result = await work(client);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    }
  };
  if (kind === 'pool') {
    const client = await (sql as PgPoolLike).connect();
    try {
      return await run(client);
    } finally {
      client.release();
    }
  }
  const previous = clientQueues.get(sql) ?? Promise.resolve();
  const next = previous.then(
    () => run(sql),
    () => run(sql),
  );
  clientQueues.set(
    sql,
    next.catch(() => undefined),
  );
  return next;
}
