import type { FactoredStore, StoreChange, StoreTopic } from '@factoredui/core';
import { FactoredError } from '@factoredui/core';
import { mapSqlError } from '../errors.js';
import type { SqlGateway } from '../gateway.js';
import { createSqlStore } from '../sql-store.js';
import {
  connectionKind,
  inTransaction,
  type NotificationEmitter,
  type PGliteLike,
  type PgClientLike,
  type PgPoolClientLike,
  type PgPoolLike,
  type PostgresConnection,
} from './connection.js';

/**
 * Who a direct-SQL store acts as, switched per transaction exactly as PostgREST does:
 * `{ userId }` runs as role `authenticated` with claims `{ sub: userId, role: 'authenticated' }`
 * (row-level security applies), `'service'` as `service_role`, `'anon'` as `anon`.
 */
export type PostgresIdentity = { userId: string } | 'service' | 'anon';

/** Options of {@link createPostgresGateway} and {@link createPostgresStore}. */
export interface PostgresStoreOptions {
  /** The identity of every call. */
  as: PostgresIdentity;
  /**
   * Extra JWT claims merged into `request.jwt.claims` (e.g. `email`, `app_metadata`) for
   * policies of your own that read them.
   */
  claims?: Readonly<Record<string, unknown>>;
  /** Called when a change subscription fails (LISTEN could not be set up). Default: `console.error`. */
  onError?: (error: FactoredError) => void;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

function roleOf(identity: PostgresIdentity): 'authenticated' | 'service_role' | 'anon' {
  if (identity === 'service') return 'service_role';
  if (identity === 'anon') return 'anon';
  return 'authenticated';
}

function claimsOf(options: PostgresStoreOptions): string {
  const role = roleOf(options.as);
  const base: Record<string, unknown> = { ...options.claims, role };
  if (typeof options.as === 'object') base.sub = options.as.userId;
  return JSON.stringify(base);
}

function encode(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object') return JSON.stringify(value);
  return value;
}

/**
 * A {@link SqlGateway} over `pg` (Pool or connected Client) or PGlite. Each call runs in its own
 * transaction that first does what PostgREST does per request —
 * `set_config('role', <role>, true)` and `set_config('request.jwt.claims', <claims>, true)` — so
 * grants and row-level security apply exactly as they do through supabase-js. `subscribe` uses
 * LISTEN/NOTIFY on channels `factoredui_<topic>`.
 *
 * The connecting role must be allowed to switch to `anon`, `authenticated` and `service_role`
 * (a superuser, Supabase's `postgres`, or a member of those roles).
 */
export function createPostgresGateway(
  sql: PostgresConnection,
  options: PostgresStoreOptions,
): SqlGateway {
  const identity = options.as;
  if (identity !== 'service' && identity !== 'anon') {
    if (
      typeof identity !== 'object' ||
      identity === null ||
      typeof identity.userId !== 'string' ||
      identity.userId === ''
    ) {
      throw new FactoredError(
        'invalid_input',
        "createPostgresStore: `as` must be { userId: '<non-empty id>' }, 'service' or 'anon'.",
      );
    }
  }
  const role = roleOf(identity);
  const claims = claimsOf(options);
  const onError =
    options.onError ??
    ((error: FactoredError) => {
      console.error(error.message);
    });

  return {
    async call(fn, args = {}) {
      if (!IDENTIFIER.test(fn)) {
        throw new FactoredError('invalid_input', `not a factoredui function name: ${fn}`);
      }
      const names: string[] = [];
      const params: unknown[] = [];
      for (const [name, value] of Object.entries(args)) {
        if (value === undefined) continue;
        if (!IDENTIFIER.test(name)) {
          throw new FactoredError('invalid_input', `not an argument name: ${name}`);
        }
        params.push(encode(value));
        names.push(`${name} => $${params.length}`);
      }
      const text = `select factoredui.${fn}(${names.join(', ')}) as result`;
      return inTransaction(sql, async (tx) => {
        // What PostgREST runs at the start of every request.
        await tx.query(
          "select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)",
          [role, claims],
        );
        const { rows } = await tx.query(text, params);
        return rows[0]?.result ?? null;
      });
    },
    subscribe: (topic, listener) => listen(sql, topic, listener, identity, onError),
  };
}

type Listener = (change: StoreChange) => void;

function listen(
  sql: PostgresConnection,
  topic: StoreTopic,
  listener: Listener,
  identity: PostgresIdentity,
  onError: (error: FactoredError) => void,
): () => void {
  const channel = `factoredui_${topic}`;
  let active = true;
  let stop: (() => Promise<void>) | null = null;
  const deliver = (payload: string | undefined) => {
    if (!active) return;
    const key = payload && payload.length > 0 ? payload : undefined;
    // A user store only hears about its own assignments (keys there are user ids).
    if (topic === 'assignments' && typeof identity === 'object' && key !== identity.userId) return;
    listener(key === undefined ? { topic } : { topic, key });
  };
  const kind = connectionKind(sql);
  const setup = async (): Promise<() => Promise<void>> => {
    if (kind === 'pglite') {
      const db = sql as PGliteLike;
      if (!db.listen) throw new Error('this PGlite build has no listen()');
      return db.listen(channel, (payload) => deliver(payload));
    }
    const client: PgClientLike | PgPoolClientLike =
      kind === 'pool' ? await (sql as PgPoolLike).connect() : (sql as PgClientLike);
    const onNotification = (message: { channel: string; payload?: string }) => {
      if (message.channel === channel) deliver(message.payload);
    };
    const emitter = client as unknown as Partial<NotificationEmitter>;
    if (typeof emitter.on !== 'function') {
      throw new Error('this connection cannot receive notifications (no on("notification"))');
    }
    emitter.on('notification', onNotification);
    await client.query(`listen ${channel}`);
    return async () => {
      emitter.removeListener?.('notification', onNotification);
      if (kind === 'pool') {
        await client.query(`unlisten ${channel}`).catch(() => undefined);
        (client as PgPoolClientLike).release();
      }
      // A shared Client keeps listening: another subscription may use the channel.
    };
  };
  setup().then(
    (unlisten) => {
      if (active) stop = unlisten;
      else void unlisten();
    },
    (error: unknown) => {
      if (active) onError(mapSqlError(error, `subscribe(${topic})`));
    },
  );
  return () => {
    active = false;
    if (stop) void stop();
  };
}

/**
 * A {@link FactoredStore} over PostgreSQL, for server jobs, tests and local runs: `pg` (a
 * `Pool` or a connected `Client`) or PGlite, with the factoredui migrations applied.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { createPostgresStore } from '@factoredui/store-supabase';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const service = createPostgresStore(pool, { as: 'service' });
 * await service.recomputeFactors({ asOf: new Date().toISOString() });
 * const alice = createPostgresStore(pool, { as: { userId: 'alice-id' } }); // under RLS
 * ```
 */
export function createPostgresStore(
  sql: PostgresConnection,
  options: PostgresStoreOptions,
): FactoredStore {
  return createSqlStore(createPostgresGateway(sql, options));
}
