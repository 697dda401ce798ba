import {
  bucketUser,
  concludeExperiment,
  createExperiment,
  DEFAULT_TRACK_PATH,
  type FactoredStore,
  initCapture,
  type JsonObject,
  type NewExperiment,
  startExperiment,
} from '@factoredui/core';
import { FactoredUIProvider } from '@factoredui/core/openfeature';
import {
  createMemoryDatabase,
  createMemoryStore,
  type MemoryDatabase,
} from '@factoredui/store-memory';
import { OpenFeature, ProviderEvents } from '@openfeature/web-sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const ALICE = '00000000-0000-4000-8000-00000000a11c';
const BOB = '00000000-0000-4000-8000-000000000b0b';

let database: MemoryDatabase;
let service: FactoredStore;

async function running(overrides: Partial<NewExperiment> = {}) {
  const created = await createExperiment(service, {
    name: 'checkout-copy',
    path: 'shop/checkout/pay-form/submit',
    variants: [
      { key: 'control', weight: 50, config: { label: 'Continue' } },
      { key: 'pay-now', weight: 50, config: { label: 'Pay now' } },
    ],
    ...overrides,
  });
  return startExperiment(service, created.id);
}

beforeEach(() => {
  database = createMemoryDatabase();
  service = createMemoryStore({ database, role: 'service' });
});
afterEach(async () => {
  await OpenFeature.close();
  await OpenFeature.clearProviders();
  OpenFeature.clearHooks();
  await OpenFeature.setContext({});
});

describe('FactoredUIProvider through the OpenFeature web SDK', () => {
  it('resolves synchronously with the targeting key as user id, reason SPLIT', async () => {
    const live = await running();
    const provider = new FactoredUIProvider({ store: service, ttlMs: 0 });
    await OpenFeature.setProviderAndWait(provider, { targetingKey: ALICE });
    const client = OpenFeature.getClient();
    const expected = bucketUser(live, ALICE)?.key as string;
    const details = client.getStringDetails('checkout-copy', 'fallback');
    expect(details).toMatchObject({
      value: expected,
      variant: expected,
      reason: 'SPLIT',
      flagMetadata: { experimentId: live.id },
    });
    expect(client.getBooleanValue('checkout-copy', false)).toBe(expected !== 'control');
    expect(client.getObjectValue('checkout-copy', {})).toEqual({
      label: expected === 'control' ? 'Continue' : 'Pay now',
    });
    await vi.waitFor(async () =>
      expect(await service.listAssignments({ userId: ALICE })).toHaveLength(1),
    );
  });

  it('reports TARGETING_MATCH, DEFAULT, STATIC and FLAG_NOT_FOUND', async () => {
    await running({ name: 'targeted', platforms: ['web'] });
    await running({ name: 'ios-only', path: 'a/b', platforms: ['ios'] });
    const done = await running({ name: 'done', path: 'c/d' });
    await concludeExperiment(service, done.id, 'pay-now');
    await OpenFeature.setProviderAndWait(
      new FactoredUIProvider({ store: service, platform: 'web', ttlMs: 0 }),
      {
        targetingKey: ALICE,
      },
    );
    const client = OpenFeature.getClient();
    expect(client.getStringDetails('targeted', 'x').reason).toBe('TARGETING_MATCH');
    expect(client.getStringDetails('ios-only', 'x')).toMatchObject({
      value: 'x',
      reason: 'DEFAULT',
    });
    expect(client.getStringDetails('done', 'x')).toMatchObject({
      value: 'pay-now',
      reason: 'STATIC',
    });
    expect(client.getStringDetails('missing', 'x')).toMatchObject({
      value: 'x',
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
    });
    expect(client.getNumberDetails('targeted', 7)).toMatchObject({
      value: 7,
      errorCode: 'TYPE_MISMATCH',
    });
  });

  it('uses config.value as the typed flag value, and context attributes for targeting', async () => {
    await running({
      name: 'limit',
      targeting: [{ kind: 'metadata', field: 'app_version', operator: 'gte', value: '2.0' }],
      variants: [
        { key: 'control', weight: 50, config: { value: 10 } },
        { key: 'more', weight: 50, config: { value: 20 } },
      ],
    });
    await OpenFeature.setProviderAndWait(new FactoredUIProvider({ store: service, ttlMs: 0 }), {
      targetingKey: ALICE,
      app_version: '1.9',
    });
    const client = OpenFeature.getClient();
    expect(client.getNumberDetails('limit', 0)).toMatchObject({ value: 0, reason: 'DEFAULT' });
    await OpenFeature.setContext({ targetingKey: ALICE, app_version: '2.1' });
    const details = client.getNumberDetails('limit', 0);
    expect([10, 20]).toContain(details.value);
    expect(details.reason).toBe('TARGETING_MATCH');
  });

  it('records one exposure per user, experiment and variant, however often a flag resolves', async () => {
    const live = await running();
    await OpenFeature.setProviderAndWait(
      new FactoredUIProvider({ store: service, ttlMs: 0, sessionId: 's1' }),
      {
        targetingKey: ALICE,
      },
    );
    const client = OpenFeature.getClient();
    for (let i = 0; i < 200; i++) {
      client.getStringValue('checkout-copy', 'x');
      client.getBooleanValue('checkout-copy', false);
    }
    await vi.waitFor(async () =>
      expect(await service.listExposures({ experimentId: live.id })).toHaveLength(1),
    );
    await OpenFeature.setContext({ targetingKey: BOB });
    expect(OpenFeature.getClient().getStringDetails('checkout-copy', 'x').value).toBe(
      bucketUser(live, BOB)?.key,
    );
    await vi.waitFor(async () =>
      expect(await service.listExposures({ experimentId: live.id })).toHaveLength(2),
    );
    const exposures = await service.listExposures({ experimentId: live.id });
    expect(exposures.map((e) => e.userId).sort()).toEqual([ALICE, BOB].sort());
    expect(await service.listAssignments({ experimentId: live.id })).toHaveLength(2);
  });

  it('records track() through a capture handle as a custom event with its numeric details', async () => {
    await running();
    const capture = initCapture({
      store: createMemoryStore({ database, userId: ALICE }),
      adapter: null,
      flushIntervalMs: 60_000,
    });
    await OpenFeature.setProviderAndWait(
      new FactoredUIProvider({ store: service, ttlMs: 0, capture }),
      { targetingKey: ALICE },
    );
    OpenFeature.getClient().track('checkout-completed', {
      value: 42.5,
      currency: 'EUR',
      at: new Date(0),
      'not a property name': 1,
    });
    await capture.stopCapture();
    const events = await service.listEvents({ userId: ALICE, types: ['custom'] });
    expect(events.map((e) => [e.path, e.payload])).toEqual([
      [DEFAULT_TRACK_PATH, { name: 'checkout-completed', properties: { value: 42.5 } }],
    ]);
  });

  it('records track() with every JSON-safe detail through a callback', async () => {
    await running();
    const tracked: [string, JsonObject][] = [];
    const track = (name: string, payload: JsonObject) => tracked.push([name, payload]);
    await OpenFeature.setProviderAndWait(
      new FactoredUIProvider({ store: service, ttlMs: 0, track }),
      {
        targetingKey: ALICE,
      },
    );
    OpenFeature.getClient().track('checkout-completed', {
      value: 42.5,
      currency: 'EUR',
      at: new Date(0),
    });
    expect(tracked).toEqual([
      [
        'checkout-completed',
        { value: 42.5, currency: 'EUR', at: '1970-01-01T00:00:00.000Z', targetingKey: ALICE },
      ],
    ]);
  });

  it('emits ConfigurationChanged when a definition changes', async () => {
    await OpenFeature.setProviderAndWait(
      new FactoredUIProvider({ store: createMemoryStore({ database, userId: ALICE }), ttlMs: 0 }),
    );
    const client = OpenFeature.getClient();
    expect(client.getStringDetails('checkout-copy', 'x').errorCode).toBe('FLAG_NOT_FOUND');
    const changed = vi.fn();
    client.addHandler(ProviderEvents.ConfigurationChanged, changed);
    await running();
    await vi.waitFor(() =>
      expect(client.getStringDetails('checkout-copy', 'x').reason).toBe('SPLIT'),
    );
    expect(changed).toHaveBeenCalled();
  });
});
