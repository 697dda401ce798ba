/**
 * A minimal PostgREST + GoTrue compatible endpoint for tests, so the supabase-js transport runs
 * for real (real `@supabase/supabase-js`, real HTTP, real SQL under RLS) without a Supabase.
 *
 * What it implements, following PostgREST 12 semantics:
 * - `POST /rest/v1/rpc/<fn>`: the schema comes from `Content-Profile` (default: the first exposed
 *   schema; others are rejected with PGRST106). The caller is identified by
 *   `Authorization: Bearer <jwt>` (falling back to the `apikey` header, as the Supabase gateway
 *   does); the token is verified as HS256 with the test secret. In one transaction the endpoint
 *   switches to the token's `role` claim (`set_config('role', ..)`), sets `request.jwt.claims`
 *   (plus `request.method`, `request.path`, `request.headers`), and calls the function with the
 *   JSON body bound through `json_to_record`, exactly as PostgREST builds the call. Functions
 *   with a single unnamed `json`/`jsonb` parameter receive the whole body.
 * - Results: scalar functions return their JSON value, set-returning and composite functions
 *   return rows, `void` functions answer 204.
 * - Errors: `{ code, message, details, hint }` with PostgREST's SQLSTATE -> HTTP status table,
 *   PGRST202 for an unknown function, PGRST301 for a bad token.
 * - `GET /auth/v1/user`: the user of a valid token, so `supabase.auth.setSession()` works.
 *
 * Not implemented (not needed by the transport): tables and views over `/rest/v1/<table>`,
 * GET/HEAD RPC, `Prefer` handling, OpenAPI.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import { type JwtClaims, JwtError, signJwt, verifyJwt } from './postgrest-jwt.js';
import { attachRealtime, type RealtimeEndpoint } from './postgrest-realtime.js';

/** The slice of PGlite (or a pg adapter) the endpoint needs. */
export interface PostgrestDatabase {
  transaction<T>(callback: (tx: PostgrestTransaction) => Promise<T>): Promise<T>;
}

/** A transaction handle: parameterized queries returning rows. */
export interface PostgrestTransaction {
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

/** Options of {@link startPostgrestServer}. */
export interface PostgrestServerOptions {
  /** The database the functions run on (already migrated). */
  db: PostgrestDatabase;
  /** The HS256 secret tokens are signed with. Default: a fixed test secret. */
  jwtSecret?: string;
  /** Schemas exposed over the API (`db-schemas`). Default `['factoredui']`. */
  schemas?: readonly string[];
  /** Role used when a token has no `role` claim (`db-anon-role`). Default `anon`. */
  anonRole?: string;
  /**
   * Also serve Supabase Realtime (`postgres_changes`) from this PGlite database, for the tables
   * of publication `supabase_realtime` (see `postgrest-realtime.ts`).
   */
  realtime?: PGlite;
}

/** A running endpoint. */
export interface PostgrestServer {
  /** Base URL to pass to `createClient` (e.g. `http://127.0.0.1:54321`). */
  url: string;
  /** The HS256 secret. */
  jwtSecret: string;
  /** A long-lived `anon` key, as in a Supabase project. */
  anonKey: string;
  /** A long-lived `service_role` key. */
  serviceRoleKey: string;
  /** An access token for `userId` with role `authenticated`, valid for an hour. */
  userToken(userId: string, extraClaims?: JwtClaims): string;
  /** The realtime endpoint, when the `realtime` option was given. */
  realtime: RealtimeEndpoint | undefined;
  /** Number of RPC requests served so far (for tests that assert a round trip happened). */
  requestCount(): number;
  /** Stops the server. */
  close(): Promise<void>;
}

/** The secret used when none is given. Never use it outside tests. */
export const TEST_JWT_SECRET = 'factoredui-test-jwt-secret-with-at-least-32-characters';

interface PostgrestErrorBody {
  code: string;
  message: string;
  details: string | null;
  hint: string | null;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: PostgrestErrorBody,
  ) {
    super(body.message);
  }
}

interface FunctionSignature {
  argnames: string[] | null;
  argtypes: string[];
  argmodes: string[] | null;
  nargdefaults: number;
  retset: boolean;
  rettype: string;
  rettyptype: string;
}

const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/**
 * PostgREST's mapping of a SQLSTATE to an HTTP status (docs: "Errors" -> "SQLSTATE").
 * `authenticated` decides 42501 (insufficient privilege): 403 with a token role, 401 for anon.
 */
export function httpStatusForSqlState(code: string, authenticated: boolean): number {
  if (code === '42501') return authenticated ? 403 : 401;
  if (code === '23503' || code === '23505') return 409;
  if (code === '25006') return 405;
  if (code === '42883' || code === '42P01') return 404;
  if (code === 'P0001') return 400;
  const custom = /^PT(\d{3})$/.exec(code);
  if (custom) return Number(custom[1]);
  const cls = code.slice(0, 2);
  if (cls === '08' || cls === '53') return 503;
  if (cls === '0L' || cls === '0P' || cls === '28') return 403;
  if (
    [
      '09',
      '25',
      '2D',
      '38',
      '39',
      '3B',
      '40',
      '54',
      '55',
      '57',
      '58',
      'F0',
      'HV',
      'P0',
      'XX',
    ].includes(cls) ||
    code === '42P17'
  ) {
    return 500;
  }
  return 400;
}

function isDatabaseError(
  error: unknown,
): error is { code: string; message: string; detail?: string; hint?: string } {
  return (
    error instanceof Error &&
    typeof (error as { code?: unknown }).code === 'string' &&
    /^[0-9A-Z]{5}$/.test((error as unknown as { code: string }).code)
  );
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(response: ServerResponse, status: number, body: unknown): void {
  if (body === undefined) {
    response.writeHead(status);
    response.end();
    return;
  }
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

/** Starts the endpoint on 127.0.0.1 with an ephemeral port. */
export async function startPostgrestServer(
  options: PostgrestServerOptions,
): Promise<PostgrestServer> {
  const jwtSecret = options.jwtSecret ?? TEST_JWT_SECRET;
  const schemas = options.schemas ?? ['factoredui'];
  const anonRole = options.anonRole ?? 'anon';
  const farFuture = Math.floor(Date.UTC(2100, 0, 1) / 1000);
  const anonKey = signJwt({ role: 'anon', iss: 'supabase', exp: farFuture }, jwtSecret);
  const serviceRoleKey = signJwt(
    { role: 'service_role', iss: 'supabase', exp: farFuture },
    jwtSecret,
  );
  let requests = 0;

  const authenticate = (request: IncomingMessage): JwtClaims => {
    const header = request.headers.authorization;
    const apikey = request.headers.apikey;
    let token: string | undefined;
    if (typeof header === 'string' && /^bearer /i.test(header)) token = header.slice(7).trim();
    else if (typeof apikey === 'string') token = apikey;
    if (token === undefined) return { role: anonRole };
    try {
      return verifyJwt(token, jwtSecret);
    } catch (error) {
      const message = error instanceof JwtError ? error.message : 'JWT invalid';
      throw new HttpError(401, { code: 'PGRST301', message, details: null, hint: null });
    }
  };

  const lookup = async (
    tx: PostgrestTransaction,
    schema: string,
    fn: string,
    keys: string[],
  ): Promise<FunctionSignature> => {
    const { rows } = await tx.query<FunctionSignature>(
      `select p.proargnames as argnames,
              coalesce(p.proargtypes::regtype[]::text[], '{}') as argtypes,
              p.proargmodes::text[] as argmodes,
              p.pronargdefaults as nargdefaults,
              p.proretset as retset,
              p.prorettype::regtype::text as rettype,
              t.typtype::text as rettyptype
         from pg_proc p
         join pg_namespace n on n.oid = p.pronamespace
         join pg_type t on t.oid = p.prorettype
        where n.nspname = $1 and p.proname = $2`,
      [schema, fn],
    );
    for (const candidate of rows) {
      if (isSingleJsonParameter(candidate)) return candidate;
      const names = inputNames(candidate);
      const required = names.slice(0, names.length - candidate.nargdefaults);
      if (keys.every((k) => names.includes(k)) && required.every((k) => keys.includes(k))) {
        return candidate;
      }
    }
    throw new HttpError(404, {
      code: 'PGRST202',
      message: `Could not find the function ${schema}.${fn}(${keys.sort().join(', ')}) in the schema cache`,
      details: `Searched for the function ${schema}.${fn} with parameters ${keys.join(', ') || '(none)'}`,
      hint: null,
    });
  };

  const callFunction = async (
    claims: JwtClaims,
    schema: string,
    fn: string,
    body: unknown,
    request: IncomingMessage,
  ): Promise<{ status: number; body: unknown }> => {
    const role = typeof claims.role === 'string' && claims.role !== '' ? claims.role : anonRole;
    return options.db.transaction(async (tx) => {
      await tx.query(
        `select set_config('role', $1, true),
                set_config('request.jwt.claims', $2, true),
                set_config('request.method', 'POST', true),
                set_config('request.path', $3, true),
                set_config('request.headers', $4, true)`,
        [role, JSON.stringify(claims), request.url ?? '', JSON.stringify(request.headers)],
      );
      const args = (body ?? {}) as Record<string, unknown>;
      const signature = await lookup(tx, schema, fn, Object.keys(args));
      const target = `${quoteIdent(schema)}.${quoteIdent(fn)}`;
      const names = inputNames(signature);
      const params: unknown[] = [];
      let invocation: string;
      let argsFrom = '(select 1) as pgrst_args';
      if (isSingleJsonParameter(signature)) {
        params.push(JSON.stringify(args));
        invocation = `${target}($1::${signature.argtypes[0]})`;
      } else {
        const provided = names.filter((name) => name in args);
        if (provided.length > 0) {
          params.push(JSON.stringify(args));
          const columns = provided
            .map((name) => `${quoteIdent(name)} ${signature.argtypes[names.indexOf(name)]}`)
            .join(', ');
          argsFrom = `json_to_record($1::json) as pgrst_args(${columns})`;
        }
        const named = provided
          .map((name) => `${quoteIdent(name)} := pgrst_args.${quoteIdent(name)}`)
          .join(', ');
        invocation = `${target}(${named})`;
      }
      if (signature.rettype === 'void') {
        await tx.query(`select ${invocation} from ${argsFrom}`, params);
        return { status: 204, body: undefined };
      }
      let sql: string;
      if (signature.retset) {
        sql = `select coalesce(jsonb_agg(to_jsonb(r)), '[]'::jsonb) as result from ${argsFrom} cross join lateral ${invocation} r`;
      } else if (signature.rettyptype === 'c') {
        sql = `select to_jsonb(r) as result from ${argsFrom} cross join lateral ${invocation} r`;
      } else {
        sql = `select to_jsonb(${invocation}) as result from ${argsFrom}`;
      }
      const { rows } = await tx.query<{ result: unknown }>(sql, params);
      return { status: 200, body: rows[0]?.result ?? null };
    });
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/auth/v1/user' && request.method === 'GET') {
      const claims = authenticate(request);
      if (typeof claims.sub !== 'string') {
        send(response, 403, { code: 'bad_jwt', message: 'invalid claim: missing sub claim' });
        return;
      }
      send(response, 200, {
        id: claims.sub,
        aud: claims.aud ?? 'authenticated',
        role: claims.role ?? 'authenticated',
        email: claims.email ?? '',
        app_metadata: { provider: 'email' },
        user_metadata: {},
        created_at: '2026-01-01T00:00:00.000Z',
      });
      return;
    }
    const match = /^\/rest\/v1\/rpc\/([^/]+)$/.exec(url.pathname);
    if (!match) {
      send(response, 404, {
        code: 'PGRST125',
        message: 'Invalid path specified in request URL',
        details: null,
        hint: null,
      });
      return;
    }
    if (request.method !== 'POST') {
      send(response, 405, {
        code: 'PGRST117',
        message: `Unsupported HTTP method: ${request.method}`,
        details: null,
        hint: null,
      });
      return;
    }
    requests += 1;
    const profile = request.headers['content-profile'];
    const schema = typeof profile === 'string' ? profile : schemas[0];
    if (schema === undefined || !schemas.includes(schema)) {
      throw new HttpError(406, {
        code: 'PGRST106',
        message: 'Invalid schema: ' + String(schema),
        details: null,
        hint: `Only the following schemas are exposed: ${schemas.join(', ')}`,
      });
    }
    const claims = authenticate(request);
    const raw = await readBody(request);
    let body: unknown = {};
    if (raw.trim() !== '') {
      try {
        body = JSON.parse(raw);
      } catch (error) {
        throw new HttpError(400, {
          code: 'PGRST102',
          message: 'Empty or invalid json',
          details: error instanceof Error ? error.message : null,
          hint: null,
        });
      }
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new HttpError(400, {
        code: 'PGRST102',
        message: 'Expected a JSON object of arguments',
        details: null,
        hint: null,
      });
    }
    const fn = decodeURIComponent(match[1] ?? '');
    try {
      const result = await callFunction(claims, schema, fn, body, request);
      send(response, result.status, result.body);
    } catch (error) {
      if (error instanceof HttpError) throw error;
      if (isDatabaseError(error)) {
        const authenticated = typeof claims.role === 'string' && claims.role !== anonRole;
        throw new HttpError(httpStatusForSqlState(error.code, authenticated), {
          code: error.code,
          message: error.message,
          details: error.detail ?? null,
          hint: error.hint ?? null,
        });
      }
      throw error;
    }
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (error instanceof HttpError) {
        send(response, error.status, error.body);
        return;
      }
      send(response, 500, {
        code: 'XX000',
        message: error instanceof Error ? error.message : String(error),
        details: null,
        hint: null,
      });
    });
  });
  // PGlite runs in this process: a long statement blocks the event loop, after which the
  // server's keep-alive timer (default 5 s) can close a socket the client is about to reuse
  // ("fetch failed"). Let the client (undici closes idle sockets after 4 s) close them first.
  server.keepAliveTimeout = 600_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const realtime = options.realtime
    ? await attachRealtime(server, options.realtime, jwtSecret)
    : undefined;

  return {
    url: `http://127.0.0.1:${port}`,
    jwtSecret,
    anonKey,
    serviceRoleKey,
    userToken: (userId, extraClaims = {}) =>
      signJwt(
        {
          sub: userId,
          role: 'authenticated',
          aud: 'authenticated',
          iat: Math.floor(Date.now() / 1000),
          exp: Math.floor(Date.now() / 1000) + 3600,
          ...extraClaims,
        },
        jwtSecret,
      ),
    realtime,
    requestCount: () => requests,
    close: async () => {
      await realtime?.close();
      await new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      });
    },
  };
}

function inputNames(signature: FunctionSignature): string[] {
  const names = signature.argnames ?? [];
  const modes = signature.argmodes;
  if (!modes) return signature.argtypes.map((_, i) => names[i] ?? '');
  return names.filter((_, i) => modes[i] === 'i' || modes[i] === 'b' || modes[i] === 'v');
}

function isSingleJsonParameter(signature: FunctionSignature): boolean {
  return (
    signature.argtypes.length === 1 &&
    (inputNames(signature)[0] ?? '') === '' &&
    ['json', 'jsonb'].includes(signature.argtypes[0] ?? '')
  );
}
