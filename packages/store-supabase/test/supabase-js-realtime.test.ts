import type { PGlite } from '@electric-sql/pglite';
import {
  createExperiment,
  FactoredError,
  type FactoredStore,
  type StoreChange,
  startExperiment,
} from '@factoredui/core';
import { TEST_USERS } from '@factoredui/core/testing';
import { createSupabaseStore } from '@factoredui/store-supabase';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type PostgrestServer, startPostgrestServer } from './support/postgrest.js';
import { anonClient, serviceClient, userClient } from './support/postgrest-clients.js';
import { createMigratedPglite, resetData } from './support/postgrest-db.js';
import type { RealtimeEndpoint } from './support/postgrest-realtime.js';

// subscribe() through real supabase-js Realtime (Phoenix protocol over `ws`) against the test
// endpoint, which streams committed changes of the supabase_realtime publication under RLS.

let db: PGlite;
let server: PostgrestServer;
let realtime: RealtimeEndpoint;
let service: FactoredStore;

beforeAll(async () => {
  db = await createMigratedPglite(undefined, { realtime: true });
  server = await startPostgrestServer({ db, realtime: db });
  if (!server.realtime) throw new Error('realtime endpoint missing');
  realtime = server.realtime;
  service = createSupabaseStore(serviceClient(server), { role: 'service' });
});
afterAll(async () => {
  await server.close();
  await db.close();
});
beforeEach(async () => {
  await resetData(db);
});
afterEach(async () => {
  // Every test unsubscribes; leaving is asynchronous, so wait for the server to see it.
  await vi.waitFor(() => expect(realtime.channelCount()).toBe(0));
});

/** Subscribes and waits until the endpoint has the channel, so no change is missed. */
async function subscribed(
  store: FactoredStore,
  topic: Parameters<NonNullable<FactoredStore['subscribe']>>[0],
) {
  const changes: StoreChange[] = [];
  const before = realtime.channelCount();
  if (!store.subscribe) throw new Error('the supabase-js store must implement subscribe');
  const unsubscribe = store.subscribe(topic, (change) => changes.push(change));
  await vi.waitFor(() => expect(realtime.channelCount()).toBe(before + 1));
  return { changes, unsubscribe };
}

async function newRunningExperiment(name: string) {
  const created = await createExperiment(service, {
    name,
    path: 'shop/checkout/pay/submit',
    variants: [
      { key: 'control', weight: 50 },
      { key: 'pay-now', weight: 50 },
    ],
  });
  return startExperiment(service, created.id);
}

describe('supabase-js realtime subscribe', () => {
  it('notifies experiment changes with the experiment id as key', async () => {
    const { changes, unsubscribe } = await subscribed(service, 'experiments');
    const experiment = await newRunningExperiment('realtime-experiments');
    await realtime.flush();
    await vi.waitFor(() => expect(changes.length).toBeGreaterThanOrEqual(2));
    // Insert (draft) and update (running) of the same row.
    expect(changes.every((c) => c.topic === 'experiments' && c.key === experiment.id)).toBe(true);
    unsubscribe();
  });

  it('delivers to a user only the assignments row-level security lets them read', async () => {
    const experiment = await newRunningExperiment('realtime-assignments');
    const alice = createSupabaseStore(await userClient(server, TEST_USERS.alice));
    const bob = createSupabaseStore(await userClient(server, TEST_USERS.bob));
    const { changes, unsubscribe } = await subscribed(alice, 'assignments');
    // Users ask; the store decides the variant and the time (DESIGN §15).
    await bob.recordAssignment({ userId: TEST_USERS.bob, experimentId: experiment.id });
    await alice.recordAssignment({ userId: TEST_USERS.alice, experimentId: experiment.id });
    await realtime.flush();
    await vi.waitFor(() => expect(changes).toHaveLength(1));
    expect(changes).toEqual([{ topic: 'assignments', key: TEST_USERS.alice }]);
    unsubscribe();
  });

  it('names the spec on specs changes', async () => {
    const { changes, unsubscribe } = await subscribed(service, 'specs');
    const envelope = {
      spec: { spec_version: 1, renderer_min: 1, root: { id: 'r', type: 'column' } },
      spec_hash: 'a'.repeat(64),
      signature: 'b'.repeat(128),
      signed_at: '2026-01-05T10:00:00.000Z',
      key_id: 'k1',
      name: 'banner',
      platform: 'web',
      version: 1,
    };
    const saved = await service.saveSpec({ name: 'banner', platform: 'web', envelope });
    await service.activateSpec({ name: 'banner', platform: 'web', version: saved.version });
    await realtime.flush();
    await vi.waitFor(() => expect(changes.length).toBeGreaterThanOrEqual(2));
    expect(new Set(changes.map((c) => `${c.topic}:${c.key}`))).toEqual(new Set(['specs:banner']));
    unsubscribe();
  });

  it('unsubscribe leaves the channel and stops notifications; calling it twice is harmless', async () => {
    const { changes, unsubscribe } = await subscribed(service, 'experiments');
    const before = realtime.channelCount();
    unsubscribe();
    unsubscribe();
    await vi.waitFor(() => expect(realtime.channelCount()).toBe(before - 1));
    await newRunningExperiment('realtime-after-unsubscribe');
    await realtime.flush();
    expect(changes).toEqual([]);
  });

  it('reports a channel the server refuses to onRealtimeError as unavailable', async () => {
    const client = anonClient(server);
    await client.realtime.setAuth('not-a-jwt');
    const errors: FactoredError[] = [];
    const store = createSupabaseStore(client, { onRealtimeError: (error) => errors.push(error) });
    const unsubscribe = store.subscribe?.('governance', () => undefined);
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(errors[0]).toBeInstanceOf(FactoredError);
    expect(errors[0]?.code).toBe('unavailable');
    expect(errors[0]?.message).toContain('"governance"');
    unsubscribe?.();
  });
});
