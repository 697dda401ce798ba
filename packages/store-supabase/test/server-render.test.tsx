import type { PGlite } from '@electric-sql/pglite';
import {
  createExperiment,
  type FactoredStore,
  loadFlagState,
  type SerializedFlagState,
  startExperiment,
} from '@factoredui/core';
import { instrumentStore } from '@factoredui/core/testing';
import { Component, FactoredProvider, Flow, useFlag } from '@factoredui/react';
import { createPostgresStore, createSupabaseStore } from '@factoredui/store-supabase';
import pg from 'pg';
import { renderToString } from 'react-dom/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPool, DATABASE_URL } from './harness/databases.js';
import { describeWhen, NEEDS_DATABASE_URL } from './harness/requirements.js';
import { serverTemplateName } from './harness/server-template.js';
import { type PostgrestServer, startPostgrestServer } from './support/postgrest.js';
import { serviceClient } from './support/postgrest-clients.js';
import { createMigratedPglite } from './support/postgrest-db.js';

// What a server does per request (docs/react.md, "Server rendering"): read the user's flag
// state, render, send. 1,000 of them over one store must write nothing, leave no
// subscription open and, on a pg.Pool of 10, never run out of connections (before the fix,
// each render kept two pooled connections for LISTEN: the 6th request hung).

const RENDERS = 1_000;
/** Requests in flight at once, as a busy server has them. */
const CONCURRENCY = 25;
/** A guard against a hang (pool exhaustion never settles), not a speed assertion. */
const HANG_GUARD_MS = 300_000;

function Cta() {
  const { variantKey, config } = useFlag('cta-copy');
  return <button type="button">{`${variantKey}:${String(config?.label)}`}</button>;
}

function renderPage(store: FactoredStore, flagState: SerializedFlagState): string {
  return renderToString(
    <FactoredProvider store={store} flagBootstrap={flagState}>
      <Flow name="checkout">
        <Component name="cta">
          <Cta />
        </Component>
      </Flow>
    </FactoredProvider>,
  );
}

const userIdOf = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

async function seed(service: FactoredStore) {
  const draft = await createExperiment(service, {
    name: 'cta-copy',
    path: 'checkout/cta',
    variants: [
      { key: 'control', weight: 50, config: { label: 'Pay' } },
      { key: 'treatment', weight: 50, config: { label: 'Pay securely' } },
    ],
  });
  await startExperiment(service, draft.id);
}

/** Renders `count` requests, `CONCURRENCY` at a time; returns the rendered variants. */
async function serve(
  store: FactoredStore,
  count: number,
  options: { recordAssignments?: readonly string[] } = {},
): Promise<string[]> {
  const variants: string[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const flagState = await loadFlagState(store, { userId: userIdOf(i), ...options });
      const html = renderPage(store, flagState);
      const match = /(control|treatment):Pay/.exec(html);
      if (!match) throw new Error(`render ${i} has no variant: ${html}`);
      variants[i] = match[1] as string;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return variants;
}

/** The leak and side-effect checks every transport must pass. */
function serverRenderSuite(
  open: () => Promise<{
    service: FactoredStore;
    /** Database-side count of open realtime channels or LISTEN connections, when known. */
    openChannels?: () => Promise<number>;
    assignmentRows: () => Promise<number>;
    close: () => Promise<void>;
  }>,
) {
  let env: Awaited<ReturnType<typeof open>>;
  beforeAll(async () => {
    env = await open();
    await seed(env.service);
  }, HANG_GUARD_MS);
  afterAll(async () => {
    await env?.close();
  });

  it(
    `${RENDERS} server renders write nothing and leave no subscription open`,
    async () => {
      const probe = instrumentStore(env.service);
      const variants = await serve(probe.store, RENDERS);
      expect(variants.filter(Boolean)).toHaveLength(RENDERS);
      // Bucketing splits users between both variants.
      expect(new Set(variants)).toEqual(new Set(['control', 'treatment']));
      expect(probe.writes()).toEqual([]);
      expect(probe.openSubscriptionCount()).toBe(0);
      expect(await env.assignmentRows()).toBe(0);
      if (env.openChannels) expect(await env.openChannels()).toBe(0);
    },
    HANG_GUARD_MS,
  );

  it(
    'opt-in: recordAssignments writes each new assignment before the response',
    async () => {
      const probe = instrumentStore(env.service);
      const variants = await serve(probe.store, 50, { recordAssignments: ['cta-copy'] });
      // Awaited: the rows exist when the responses are done, one per user.
      expect(await env.assignmentRows()).toBe(50);
      expect(probe.writes()).toHaveLength(50);
      // The rendered variant is the recorded one, and a second visit writes nothing.
      probe.resetCalls();
      expect(await serve(probe.store, 50, { recordAssignments: ['cta-copy'] })).toEqual(variants);
      expect(probe.writes()).toEqual([]);
      expect(probe.openSubscriptionCount()).toBe(0);
    },
    HANG_GUARD_MS,
  );
}

describe('server rendering over createPostgresStore (PGlite)', () => {
  serverRenderSuite(async () => {
    const db = await createMigratedPglite();
    return {
      service: createPostgresStore(db, { as: 'service' }),
      assignmentRows: async () =>
        (await db.query<{ n: number }>('select count(*)::int as n from factoredui.assignments'))
          .rows[0]?.n ?? -1,
      close: () => db.close(),
    };
  });
});

const serverUrl = DATABASE_URL ?? '';
describeWhen(Boolean(DATABASE_URL), NEEDS_DATABASE_URL)(
  'server rendering over createPostgresStore with a pg.Pool of 10 (PostgreSQL)',
  () => {
    serverRenderSuite(async () => {
      const url = new URL(serverUrl);
      const name = `factoredui_test_ssr_${process.pid}_${Date.now().toString(36)}`;
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      await admin.query(`create database ${name} template ${await serverTemplateName(serverUrl)}`);
      await admin.end();
      url.pathname = `/${name}`;
      // The default size of a pg.Pool, as an app server would have it.
      const pool = createTestPool(url.toString(), 10);
      const count = async (sql: string) => (await pool.query<{ n: number }>(sql)).rows[0]?.n ?? -1;
      return {
        service: createPostgresStore(pool, { as: 'service' }),
        assignmentRows: () => count('select count(*)::int as n from factoredui.assignments'),
        // Pooled connections still checked out (a LISTEN subscription holds one).
        openChannels: async () => pool.totalCount - pool.idleCount,
        close: async () => {
          expect(pool.waitingCount).toBe(0);
          await pool.end();
          const cleanup = new pg.Client({ connectionString: serverUrl });
          await cleanup.connect();
          await cleanup.query(`drop database if exists ${name} with (force)`);
          await cleanup.end();
        },
      };
    });
  },
);

describe('server rendering over the supabase-js transport', () => {
  let db: PGlite;
  let server: PostgrestServer;
  serverRenderSuite(async () => {
    db = await createMigratedPglite(undefined, { realtime: true });
    server = await startPostgrestServer({ db, realtime: db });
    return {
      service: createSupabaseStore(serviceClient(server), { role: 'service' }),
      assignmentRows: async () =>
        (await db.query<{ n: number }>('select count(*)::int as n from factoredui.assignments'))
          .rows[0]?.n ?? -1,
      openChannels: async () => server.realtime?.channelCount() ?? -1,
      close: async () => {
        await server.close();
        await db.close();
      },
    };
  });
});
