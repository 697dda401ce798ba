import type { PGlite } from '@electric-sql/pglite';
import { FactoredError } from '@factoredui/core';
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapSqlError } from '../src/errors.js';
import { PostgrestDatabaseError } from '../src/supabase-js/errors.js';
import { createSupabaseGateway } from '../src/supabase-js/gateway.js';
import { pgliteFromSnapshot } from './harness/pglite-snapshot.js';
import { type PostgrestServer, startPostgrestServer } from './support/postgrest.js';
import {
  anonClient,
  serviceClient,
  testClientOptions,
  userClient,
} from './support/postgrest-clients.js';

// A tiny `factoredui` schema of its own, so the gateway and the test endpoint are checked
// independently of the store's migrations.
const SCHEMA = `
  create role anon nologin;
  create role authenticated nologin;
  create role service_role nologin bypassrls;
  create schema factoredui;
  grant usage on schema factoredui to anon, authenticated, service_role;
  create table factoredui.notes (id int primary key, owner text not null, body text not null);
  alter table factoredui.notes enable row level security;
  create policy own on factoredui.notes for all to authenticated
    using (owner = current_setting('request.jwt.claims', true)::jsonb ->> 'sub')
    with check (owner = current_setting('request.jwt.claims', true)::jsonb ->> 'sub');
  grant select, insert on factoredui.notes to authenticated, service_role;
  create function factoredui.whoami() returns jsonb language sql as $$
    select jsonb_build_object('role', current_user,
      'sub', current_setting('request.jwt.claims', true)::jsonb ->> 'sub') $$;
  create function factoredui.add_note(id int, body text) returns jsonb
    language sql as $$
    insert into factoredui.notes values (id, current_setting('request.jwt.claims', true)::jsonb ->> 'sub', body)
    returning to_jsonb(notes) $$;
  create function factoredui.list_notes() returns setof factoredui.notes language sql stable as $$
    select * from factoredui.notes order by id $$;
  create function factoredui.echo(jsonb) returns jsonb language sql as $$ select $1 $$;
  create function factoredui.fail(state text, message text) returns void language plpgsql as $$
    begin raise exception using errcode = state, message = message, hint = 'a hint'; end $$;
  create function factoredui.secret() returns int language sql as $$ select 42 $$;
  revoke execute on function factoredui.secret() from public;
  grant execute on function factoredui.secret() to service_role;
`;

let db: PGlite;
let server: PostgrestServer;
const clientOptions = testClientOptions;

beforeAll(async () => {
  db = await pgliteFromSnapshot('bare');
  await db.exec(SCHEMA);
  server = await startPostgrestServer({ db });
});
afterAll(async () => {
  await server.close();
  await db.close();
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected a rejection'),
    (e: unknown) => e,
  );
}

async function failure(promise: Promise<unknown>): Promise<FactoredError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(FactoredError);
  return error as FactoredError;
}

describe('supabase-js gateway over the test PostgREST endpoint', () => {
  it('runs the function with the role and claims of the token', async () => {
    const service = createSupabaseGateway(serviceClient(server));
    expect(await service.call('whoami', {})).toEqual({ role: 'service_role', sub: null });
    const user = createSupabaseGateway(await userClient(server, 'user-a'));
    expect(await user.call('whoami', {})).toEqual({ role: 'authenticated', sub: 'user-a' });
    const anon = createSupabaseGateway(anonClient(server));
    expect(await anon.call('whoami', {})).toEqual({ role: 'anon', sub: null });
  });

  it('passes named arguments, a single jsonb argument and returns rows of set functions', async () => {
    const alice = createSupabaseGateway(await userClient(server, 'alice'));
    const bob = createSupabaseGateway(await userClient(server, 'bob'));
    const hostile = `'; drop table factoredui.notes; -- \u{1F600} "quoted"`;
    expect(await alice.call('add_note', { id: 1, body: hostile })).toEqual({
      id: 1,
      owner: 'alice',
      body: hostile,
    });
    await bob.call('add_note', { id: 2, body: 'b' });
    // Row-level security filters the set function per caller.
    expect(await alice.call('list_notes', {})).toEqual([{ id: 1, owner: 'alice', body: hostile }]);
    expect(await bob.call('list_notes', {})).toEqual([{ id: 2, owner: 'bob', body: 'b' }]);
    const payload = { nested: { list: [1, 'two', null], flag: true } };
    expect(await alice.call('echo', payload)).toEqual(payload);
  });

  it('relays SQLSTATEs for the SQL layer to map, and maps PostgREST codes itself', async () => {
    const alice = createSupabaseGateway(await userClient(server, 'alice-errors'));
    await alice.call('add_note', { id: 10, body: 'x' });
    const duplicate = await rejection(alice.call('add_note', { id: 10, body: 'again' }));
    expect(duplicate).toBeInstanceOf(PostgrestDatabaseError);
    expect(duplicate).toMatchObject({ code: '23505', status: 409 });
    expect(mapSqlError(duplicate, 'addNote').code).toBe('conflict');
    const raised = await rejection(alice.call('fail', { state: '22023', message: 'bad "x"' }));
    expect(raised).toMatchObject({
      code: '22023',
      message: 'bad "x"',
      hint: 'a hint',
      status: 400,
    });
    expect(mapSqlError(raised, 'fail').code).toBe('invalid_input');
    const denied = await rejection(alice.call('secret', {}));
    expect(denied).toMatchObject({ code: '42501', status: 403 });
    expect(mapSqlError(denied, 'secret').code).toBe('unauthorized');
    const missing = await failure(alice.call('no_such_function', {}));
    expect(missing.code).toBe('internal');
    expect(missing.message).toMatch(/apply the migrations/);
  });

  it('rejects a forged token as unauthorized', async () => {
    const forged = createClient(server.url, server.anonKey, {
      ...clientOptions,
      global: { headers: { Authorization: `Bearer ${server.userToken('x').slice(0, -4)}AAAA` } },
    });
    const error = await failure(createSupabaseGateway(forged).call('whoami', {}));
    expect(error.code).toBe('unauthorized');
    expect(error.details).toMatchObject({ postgrestCode: 'PGRST301', status: 401 });
  });

  it('reports an unreachable API as unavailable', async () => {
    const down = createClient('http://127.0.0.1:9', server.anonKey, clientOptions);
    expect((await failure(createSupabaseGateway(down).call('whoami', {}))).code).toBe(
      'unavailable',
    );
  });
});
