/**
 * A minimal Supabase Realtime endpoint for tests: the Phoenix channel protocol (serializer
 * 2.0.0, JSON text frames `[join_ref, ref, topic, event, payload]`) as realtime-js speaks it, and
 * the `postgres_changes` extension fed from the database.
 *
 * Where real Realtime decodes the WAL of the `supabase_realtime` publication, this endpoint puts
 * an AFTER ROW trigger on every table of that publication that records the change and NOTIFYs
 * its id. Each change goes to every channel binding on its schema, table and event whose
 * subscriber may SELECT the row (checked under the subscriber's role and JWT claims, as Realtime
 * does for RLS); deletes go to every matching binding, as Realtime cannot check them either.
 *
 * Implemented: heartbeat, `phx_join` (with `postgres_changes` bindings and `access_token`),
 * `phx_leave`, `access_token`. Not implemented: broadcast, presence, binding `filter`s.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { PGlite } from '@electric-sql/pglite';
import { type WebSocket, WebSocketServer } from 'ws';
import { type JwtClaims, verifyJwt } from './postgrest-jwt.js';

interface Binding {
  id: number;
  event: string;
  schema: string;
  table: string;
}

interface Channel {
  joinRef: string | null;
  claims: JwtClaims;
  bindings: Binding[];
}

interface Change {
  schema: string;
  table: string;
  type: 'INSERT' | 'UPDATE' | 'DELETE';
  record: Record<string, unknown> | null;
  old_record: Record<string, unknown> | null;
  commit_timestamp: string;
}

type Frame = [string | null, string | null, string, string, Record<string, unknown>];

const CAPTURE_SQL = `
  create schema if not exists realtime_test;
  create table if not exists realtime_test.changes (
    id bigserial primary key,
    change jsonb not null
  );
  create or replace function realtime_test.capture() returns trigger
  language plpgsql security definer set search_path = '' as $$
  declare v_id bigint;
  begin
    insert into realtime_test.changes (change) values (jsonb_build_object(
      'schema', tg_table_schema, 'table', tg_table_name, 'type', tg_op,
      'record', case when tg_op = 'DELETE' then null else to_jsonb(new) end,
      'old_record', case when tg_op = 'INSERT' then null else to_jsonb(old) end,
      'commit_timestamp', to_char(now() at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))
    returning id into v_id;
    perform pg_notify('realtime_test', v_id::text);
    return null;
  end $$;
`;

const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** A running realtime endpoint. */
export interface RealtimeEndpoint {
  /** Number of open channels (joined and not left), for tests of unsubscribe. */
  channelCount(): number;
  /** Resolves once every change committed so far has been delivered. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Serves `/realtime/v1/websocket` on `server`, fed by `db`. The publication
 * `supabase_realtime` must exist and hold the tables to stream (the factoredui migrations add
 * theirs when it exists).
 */
export async function attachRealtime(
  server: Server,
  db: PGlite,
  jwtSecret: string,
): Promise<RealtimeEndpoint> {
  await db.exec(CAPTURE_SQL);
  const { rows: tables } = await db.query<{ schemaname: string; tablename: string }>(
    `select schemaname, tablename from pg_publication_tables where pubname = 'supabase_realtime'`,
  );
  for (const { schemaname, tablename } of tables) {
    const target = `${quoteIdent(schemaname)}.${quoteIdent(tablename)}`;
    await db.exec(
      `drop trigger if exists realtime_test_capture on ${target};
       create trigger realtime_test_capture after insert or update or delete on ${target}
         for each row execute function realtime_test.capture();`,
    );
  }

  const sockets = new Map<WebSocket, Map<string, Channel>>();
  let nextBindingId = 1;
  let pending: Promise<void> = Promise.resolve();

  const send = (socket: WebSocket, frame: Frame) => socket.send(JSON.stringify(frame));

  const mayRead = async (claims: JwtClaims, change: Change): Promise<boolean> => {
    if (change.type === 'DELETE' || change.record === null) return true;
    const role = typeof claims.role === 'string' ? claims.role : 'anon';
    const target = `${quoteIdent(change.schema)}.${quoteIdent(change.table)}`;
    try {
      return await db.transaction(async (tx) => {
        await tx.query(
          `select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`,
          [role, JSON.stringify(claims)],
        );
        const { rows } = await tx.query<{ visible: boolean }>(
          `select exists (select 1 from ${target} r where to_jsonb(r) = $1::jsonb) as visible`,
          [JSON.stringify(change.record)],
        );
        return rows[0]?.visible === true;
      });
    } catch {
      return false; // no SELECT privilege at all
    }
  };

  const deliver = async (id: string): Promise<void> => {
    const { rows } = await db.query<{ change: Change }>(
      'select change from realtime_test.changes where id = $1',
      [id],
    );
    const change = rows[0]?.change;
    if (!change) return;
    for (const [socket, channels] of sockets) {
      for (const [topic, channel] of channels) {
        const ids = channel.bindings
          .filter(
            (b) =>
              (b.schema === '*' || b.schema === change.schema) &&
              (b.table === '*' || b.table === change.table) &&
              (b.event === '*' || b.event === change.type),
          )
          .map((b) => b.id);
        if (ids.length === 0 || !(await mayRead(channel.claims, change))) continue;
        send(socket, [
          channel.joinRef,
          null,
          topic,
          'postgres_changes',
          { ids, data: { ...change, columns: [], errors: null } },
        ]);
      }
    }
  };

  const unlisten = await db.listen('realtime_test', (payload) => {
    pending = pending.then(() => deliver(payload)).catch(() => undefined);
  });

  const claimsOf = (token: unknown, fallback: JwtClaims): JwtClaims => {
    if (typeof token !== 'string') return fallback;
    return verifyJwt(token, jwtSecret);
  };

  const wss = new WebSocketServer({ noServer: true });
  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const apiClaims = verifyJwt(url.searchParams.get('apikey') ?? '', jwtSecret);
    const channels = new Map<string, Channel>();
    sockets.set(socket, channels);
    socket.on('close', () => sockets.delete(socket));
    socket.on('message', (data) => {
      const [joinRef, ref, topic, event, payload] = JSON.parse(String(data)) as Frame;
      const reply = (status: 'ok' | 'error', response: Record<string, unknown>) =>
        send(socket, [joinRef, ref, topic, 'phx_reply', { status, response }]);
      if (topic === 'phoenix' && event === 'heartbeat') {
        reply('ok', {});
        return;
      }
      if (event === 'phx_join') {
        let claims: JwtClaims;
        try {
          claims = claimsOf(payload.access_token, apiClaims);
        } catch (error) {
          reply('error', { reason: `invalid access token: ${(error as Error).message}` });
          return;
        }
        const config = (payload.config ?? {}) as {
          postgres_changes?: { event: string; schema: string; table?: string }[];
        };
        const bindings = (config.postgres_changes ?? []).map((filter) => ({
          id: nextBindingId++,
          event: filter.event,
          schema: filter.schema,
          table: filter.table ?? '*',
        }));
        channels.set(topic, { joinRef, claims, bindings });
        reply('ok', {
          postgres_changes: bindings.map((b, i) => ({
            id: b.id,
            event: b.event,
            schema: b.schema,
            table: config.postgres_changes?.[i]?.table,
          })),
        });
        send(socket, [
          joinRef,
          null,
          topic,
          'system',
          {
            status: 'ok',
            message: 'Subscribed to PostgreSQL',
            extension: 'postgres_changes',
            channel: topic.replace(/^realtime:/, ''),
          },
        ]);
        return;
      }
      if (event === 'phx_leave') {
        channels.delete(topic);
        reply('ok', {});
        return;
      }
      if (event === 'access_token') {
        const channel = channels.get(topic);
        if (channel) channel.claims = claimsOf(payload.access_token, channel.claims);
        return;
      }
      reply('error', { reason: `unsupported event ${event}` });
    });
  });

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/realtime/v1/websocket') {
      socket.destroy();
      return;
    }
    try {
      verifyJwt(url.searchParams.get('apikey') ?? '', jwtSecret);
    } catch {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };
  server.on('upgrade', onUpgrade);

  return {
    channelCount: () => [...sockets.values()].reduce((n, channels) => n + channels.size, 0),
    flush: async () => {
      // Notifications are delivered after commit; a round trip makes sure they have arrived.
      await db.query('select 1');
      await pending;
    },
    close: async () => {
      server.off('upgrade', onUpgrade);
      for (const socket of sockets.keys()) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await unlisten();
    },
  };
}
