import type { PGlite } from '@electric-sql/pglite';
import { FactoredError } from '@factoredui/core';
import { TEST_USERS } from '@factoredui/core/testing';
import {
  createSupabaseStore,
  mapPostgrestError,
  PostgrestDatabaseError,
} from '@factoredui/store-supabase';
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgrestServer, startPostgrestServer } from './support/postgrest.js';
import {
  anonClient,
  serviceClient,
  testClientOptions,
  userClient,
} from './support/postgrest-clients.js';
import { createMigratedPglite } from './support/postgrest-db.js';

let db: PGlite;
let server: PostgrestServer;

beforeAll(async () => {
  db = await createMigratedPglite();
  server = await startPostgrestServer({ db });
});
afterAll(async () => {
  await server.close();
  await db.close();
});

async function failure(promise: Promise<unknown>): Promise<FactoredError> {
  const error = await promise.then(
    () => expect.unreachable('expected a rejection'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FactoredError);
  return error as FactoredError;
}

describe('createSupabaseStore identity', () => {
  it('is the signed-in user of the auth session, without asking the server', async () => {
    const store = createSupabaseStore(await userClient(server, TEST_USERS.alice));
    const before = server.requestCount();
    expect(await store.getIdentity()).toEqual({ role: 'user', userId: TEST_USERS.alice });
    expect(server.requestCount()).toBe(before);
  });

  it('is service with { role: "service" }, and the server says so for a service key without it', async () => {
    expect(
      await createSupabaseStore(serviceClient(server), { role: 'service' }).getIdentity(),
    ).toEqual({
      role: 'service',
      userId: null,
    });
    expect(await createSupabaseStore(serviceClient(server)).getIdentity()).toEqual({
      role: 'service',
      userId: null,
    });
  });

  it('is anon for the anon key with no session, and anon reads nothing private', async () => {
    const store = createSupabaseStore(anonClient(server));
    expect(await store.getIdentity()).toEqual({ role: 'anon', userId: null });
    expect((await failure(store.listEvents())).code).toBe('unauthorized');
  });

  it('asks the server for clients created with the accessToken option (no client.auth)', async () => {
    const client = createClient(server.url, server.anonKey, {
      ...testClientOptions,
      accessToken: async () => server.userToken(TEST_USERS.bob),
    });
    expect(await createSupabaseStore(client).getIdentity()).toEqual({
      role: 'user',
      userId: TEST_USERS.bob,
    });
  });
});

describe('createSupabaseStore errors from the API', () => {
  it('an expired token is unauthorized with advice to sign in again', async () => {
    const expired = server.userToken(TEST_USERS.alice, { exp: Math.floor(Date.now() / 1000) - 60 });
    const client = createClient(server.url, server.anonKey, {
      ...testClientOptions,
      accessToken: async () => expired,
    });
    const error = await failure(createSupabaseStore(client).listSessions());
    expect(error.code).toBe('unauthorized');
    expect(error.message).toContain('sign the user in again');
  });

  it('a schema the API does not expose is internal, with how to expose it', async () => {
    const other = await startPostgrestServer({ db, schemas: ['public'] });
    try {
      const error = await failure(
        createSupabaseStore(serviceClient(other), { role: 'service' }).listExperiments(),
      );
      expect(error.code).toBe('internal');
      expect(error.message).toContain('add "factoredui" to the exposed schemas');
    } finally {
      await other.close();
    }
  });

  it('an unreachable API is unavailable', async () => {
    const down = createClient('http://127.0.0.1:9', server.anonKey, testClientOptions);
    expect(
      (await failure(createSupabaseStore(down, { role: 'service' }).listExperiments())).code,
    ).toBe('unavailable');
  });
});

describe('mapPostgrestError', () => {
  it('passes SQLSTATEs on for the SQL layer, with PostgREST status, detail and hint', () => {
    const error = mapPostgrestError(
      { code: '23505', message: 'dup', details: 'Key (id)', hint: 'h' },
      409,
      'f',
    );
    expect(error).toBeInstanceOf(PostgrestDatabaseError);
    expect(error).toMatchObject({
      code: '23505',
      message: 'dup',
      detail: 'Key (id)',
      hint: 'h',
      status: 409,
    });
  });

  it('maps gateway failures without a SQLSTATE by HTTP status', () => {
    const code = (status: number, pgrst = '') =>
      (mapPostgrestError({ code: pgrst, message: 'm' }, status, 'f') as FactoredError).code;
    expect(code(0)).toBe('unavailable');
    expect(code(503)).toBe('unavailable');
    expect(code(504)).toBe('unavailable');
    expect(code(429)).toBe('unavailable');
    expect(code(401)).toBe('unauthorized');
    expect(code(403)).toBe('unauthorized');
    expect(code(500)).toBe('internal');
    expect(code(503, 'PGRST002')).toBe('unavailable');
    expect(code(404, 'PGRST202')).toBe('internal');
  });
});
