import {
  createDevSpecSigner,
  createEd25519Signer,
  createEd25519Verifier,
  createMemoryKVStorage,
  createSpecLoader,
  createSpecStorage,
  devSignatureVerifier,
  FactoredError,
  type FactoredStore,
  generateEd25519Keypair,
  type JsonObject,
  type LoadSpecOptions,
  loadCachedSpec,
  loadSpec,
  nextSpecVersion,
  type SignedSpecEnvelope,
  type Spec,
  type SpecLoaderSnapshot,
  type StoredSpec,
} from '@factoredui/core';
import {
  createMemoryDatabase,
  createMemoryStore,
  type MemoryStore,
} from '@factoredui/store-memory';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const KEY = {
  privateKey: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
  publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
};
const signer = createEd25519Signer({ privateKey: KEY.privateKey, keyId: 'k1' });
const verifier = createEd25519Verifier({ k1: KEY.publicKey });

const bannerSpec = (text: string, rendererMin = 1): JsonObject => ({
  spec_version: 1,
  renderer_min: rendererMin,
  root: {
    id: 'banner',
    type: 'card',
    props: { title: text },
    children: [
      {
        id: 'cta',
        type: 'button',
        props: { label: 'Shop {user.name}' },
        action: { name: 'shop.open' },
      },
    ],
  },
});
const baseline = bannerSpec('Bundled baseline') as unknown as Spec;

let service: MemoryStore;
let user: MemoryStore;
let storage: ReturnType<typeof createSpecStorage>;
let kv: ReturnType<typeof createMemoryKVStorage>;
let clock = Date.parse('2026-03-01T00:00:00.000Z');

beforeEach(() => {
  const database = createMemoryDatabase();
  service = createMemoryStore({ database, role: 'service' });
  user = createMemoryStore({ database, userId: 'user-1' });
  kv = createMemoryKVStorage();
  storage = createSpecStorage(kv);
});

const SLOT = { name: 'banner', platform: 'web' } as const;

/**
 * Signs (as the next version), saves and activates a spec; each publish is signed one minute
 * after the previous.
 */
async function publish(
  spec: JsonObject,
  options: {
    sign?: (spec: JsonObject, version: number) => Promise<SignedSpecEnvelope>;
    activate?: boolean;
  } = {},
): Promise<number> {
  clock += 60_000;
  const version = await nextSpecVersion(service, SLOT);
  const envelope = options.sign
    ? await options.sign(spec, version)
    : await signer.sign(spec, { ...SLOT, version, signedAt: clock });
  const stored = await service.saveSpec({ name: 'banner', platform: 'web', envelope });
  if (options.activate !== false)
    await service.activateSpec({ name: 'banner', platform: 'web', version: stored.version });
  return stored.version;
}

const load = (overrides: Partial<LoadSpecOptions> = {}) =>
  loadSpec({
    store: user,
    name: 'banner',
    platform: 'web',
    baseline,
    storage,
    verifier,
    ...overrides,
  });

/** A store whose spec reads go through `transform` (to tamper, re-order keys, or fail). */
function wrapStore(
  store: FactoredStore,
  transform: (envelope: SignedSpecEnvelope) => SignedSpecEnvelope,
): FactoredStore {
  return {
    ...store,
    getActiveSpec: async (input) => {
      const stored = await store.getActiveSpec(input);
      return stored && { ...stored, envelope: transform(stored.envelope) };
    },
  };
}

/** A hostile store that serves `row` as the active spec of every slot, whatever it says. */
function serving(
  store: FactoredStore,
  row: Omit<StoredSpec, 'createdAt'> | unknown,
): FactoredStore {
  const stored = { createdAt: '2026-03-01T00:00:00.000Z', ...(row as object) } as StoredSpec;
  return { ...store, getActiveSpec: async () => stored, getSpec: async () => stored };
}

function reorderKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reorderKeys);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reorderKeys(v)]),
    );
  return value;
}

describe('loadSpec', () => {
  it('falls back to the baseline when nothing is published', async () => {
    const loaded = await load();
    expect(loaded).toMatchObject({ source: 'baseline', version: null, spec: baseline });
    expect(loaded.rejections).toEqual([
      expect.objectContaining({ source: 'remote', reason: 'not_found' }),
    ]);
  });

  it('loads the verified active version and caches it', async () => {
    await publish(bannerSpec('Spring sale'));
    const loaded = await load();
    expect(loaded).toMatchObject({ source: 'remote', version: 1, keyId: 'k1', rejections: [] });
    expect(loaded.spec).toEqual(bannerSpec('Spring sale'));
    expect((await storage.load('banner', 'web'))?.version).toBe(1);
  });

  it('accepts a spec whose keys the database re-ordered', async () => {
    await publish(bannerSpec('Re-ordered'));
    const loaded = await load({
      store: wrapStore(user, (e) => reorderKeys(e) as SignedSpecEnvelope),
    });
    expect(loaded.source).toBe('remote');
    expect(loaded.spec).toEqual(bannerSpec('Re-ordered'));
  });

  it('accepts the positional 0.5 signature', async () => {
    await publish(bannerSpec('Positional'));
    const loaded = await loadSpec(user, 'banner', 'web', baseline, storage, verifier);
    expect(loaded.source).toBe('remote');
  });

  describe('fails closed and falls back to the cached version, reporting why', () => {
    beforeEach(async () => {
      await publish(bannerSpec('Good v1'));
      expect((await load()).source).toBe('remote');
    });

    it('a tampered spec (one value changed)', async () => {
      await publish(bannerSpec('Good v2'));
      const tampered = wrapStore(user, (e) => {
        const copy = structuredClone(e);
        (copy.spec.root as { props: { title: string } }).props.title = 'Phishing';
        return copy;
      });
      const loaded = await load({ store: tampered });
      expect(loaded).toMatchObject({ source: 'cache', version: 1 });
      expect(loaded.spec).toEqual(bannerSpec('Good v1'));
      expect(loaded.rejections).toEqual([
        expect.objectContaining({ source: 'remote', reason: 'hash_mismatch', version: 2 }),
      ]);
    });

    it('a spec signed with the wrong key', async () => {
      const attacker = await generateEd25519Keypair();
      const forger = createEd25519Signer({ privateKey: attacker.privateKey, keyId: 'k1' });
      await publish(bannerSpec('Forged'), {
        sign: (spec, version) => forger.sign(spec, { ...SLOT, version }),
      });
      const loaded = await load();
      expect(loaded).toMatchObject({ source: 'cache', version: 1 });
      expect(loaded.rejections[0]).toMatchObject({ reason: 'bad_signature', version: 2 });
    });

    it('a spec signed with an unknown key', async () => {
      const other = await generateEd25519Keypair();
      const unknown = createEd25519Signer({ privateKey: other.privateKey, keyId: 'k9' });
      await publish(bannerSpec('Unknown key'), {
        sign: (spec, version) => unknown.sign(spec, { ...SLOT, version }),
      });
      const loaded = await load();
      expect(loaded.source).toBe('cache');
      expect(loaded.rejections[0]).toMatchObject({ reason: 'unknown_key' });
    });

    it('a rollback to an older version', async () => {
      await publish(bannerSpec('Good v2'));
      expect((await load()).version).toBe(2);
      await service.activateSpec({ name: 'banner', platform: 'web', version: 1 });
      const loaded = await load();
      expect(loaded).toMatchObject({ source: 'cache', version: 2 });
      expect(loaded.rejections[0]).toMatchObject({
        source: 'remote',
        reason: 'rollback',
        version: 1,
      });
      expect(loaded.rejections[0]?.message).toContain('re-sign');
    });

    it('an older signature presented as a newer version', async () => {
      const old = await signer.sign(bannerSpec('Old content'), {
        ...SLOT,
        version: 2,
        signedAt: '2020-01-01T00:00:00.000Z',
      });
      await publish(bannerSpec('ignored'), { sign: async () => old });
      const loaded = await load();
      expect(loaded.source).toBe('cache');
      expect(loaded.rejections[0]).toMatchObject({ reason: 'rollback', version: 2 });
    });

    it('a spec needing a newer renderer', async () => {
      await publish(bannerSpec('Future', 2));
      const loaded = await load();
      expect(loaded).toMatchObject({ source: 'cache', version: 1 });
      expect(loaded.rejections[0]).toMatchObject({ reason: 'renderer_too_old', version: 2 });
      // A newer renderer accepts it.
      expect((await load({ rendererVersion: 2 })).source).toBe('remote');
    });

    it('a signed but invalid spec', async () => {
      const invalid = bannerSpec('Invalid');
      (invalid.root as { type: string }).type = 'marquee';
      await publish(invalid);
      const loaded = await load();
      expect(loaded.source).toBe('cache');
      expect(loaded.rejections[0]).toMatchObject({ reason: 'invalid_spec' });
      expect(loaded.rejections[0]?.errors?.[0]).toMatchObject({
        code: 'unknown_type',
        path: '/root/type',
      });
    });

    it('a spec signed for another slot, served by a store that relabels it', async () => {
      const checkout = await signer.sign(bannerSpec('Checkout'), {
        name: 'checkout',
        platform: 'web',
        version: 2,
      });
      await service.saveSpec({ name: 'checkout', platform: 'web', envelope: checkout });
      const relabeled = serving(user, { ...SLOT, version: 2, envelope: checkout });
      const loaded = await load({ store: relabeled });
      expect(loaded).toMatchObject({ source: 'cache', version: 1 });
      expect(loaded.rejections[0]).toMatchObject({ reason: 'slot_mismatch', version: 2 });
      const ios = await signer.sign(bannerSpec('iOS'), { ...SLOT, platform: 'ios', version: 2 });
      const other = await load({ store: serving(user, { ...SLOT, version: 2, envelope: ios }) });
      expect(other.rejections[0]).toMatchObject({ reason: 'slot_mismatch' });
    });

    it('an unreachable store', async () => {
      const offline: FactoredStore = {
        ...user,
        getActiveSpec: async () => {
          throw new FactoredError('unavailable', 'network down');
        },
      };
      const loaded = await load({ store: offline });
      expect(loaded).toMatchObject({ source: 'cache', version: 1 });
      expect(loaded.rejections[0]).toMatchObject({ reason: 'unavailable' });
    });
  });

  describe('a store cannot lower or freeze the rollback floor', () => {
    /** Publishes v1 and v2 and loads v2, so this device's floor is 2. */
    async function floorAtTwo(): Promise<StoredSpec> {
      await publish(bannerSpec('Good v1'));
      await publish(bannerSpec('Good v2'));
      expect((await load()).version).toBe(2);
      return service.getSpec({ ...SLOT, version: 2 });
    }

    for (const label of ['2', Number.NaN, 2e9, 1.5, 0, -1, 3, 1]) {
      it(`refuses the current envelope labelled version ${typeof label === 'string' ? `"${label}"` : label}, and the floor stays 2`, async () => {
        const current = await floorAtTwo();
        const relabeled = await load({ store: serving(user, { ...current, version: label }) });
        expect(relabeled).toMatchObject({ source: 'cache', version: 2 });
        expect(relabeled.rejections[0]).toMatchObject({
          source: 'remote',
          reason: 'version_mismatch',
          version: 2,
        });
        // The floor is still the signed version 2: the older signed v1 is a rollback...
        const v1 = await service.getSpec({ ...SLOT, version: 1 });
        const older = await load({ store: serving(user, v1) });
        expect(older).toMatchObject({ source: 'cache', version: 2 });
        expect(older.rejections[0]).toMatchObject({ reason: 'rollback', version: 1 });
        // ...and not frozen: the next signed version is accepted.
        await publish(bannerSpec('Good v3'));
        expect(await load()).toMatchObject({ source: 'remote', version: 3 });
      });
    }

    it('refuses an older signed version after a newer one was seen, whatever its label', async () => {
      await floorAtTwo();
      const v1 = await service.getSpec({ ...SLOT, version: 1 });
      for (const label of [1, 2, 3]) {
        const loaded = await load({ store: serving(user, { ...v1, version: label }) });
        expect(loaded).toMatchObject({ source: 'cache', version: 2 });
        expect(loaded.rejections[0]?.reason).toMatch(/^(rollback|version_mismatch)$/);
      }
      expect((await storage.load('banner', 'web'))?.envelope.version).toBe(2);
    });

    it('refuses an unbound envelope (no signed name, platform, version) in any slot', async () => {
      const current = await floorAtTwo();
      const { name: _n, platform: _p, version: _v, ...unbound } = current.envelope;
      for (const slot of [SLOT, { name: 'checkout', platform: 'ios' }] as const) {
        const loaded = await load({
          ...slot,
          storage: null,
          store: serving(user, { ...slot, version: 2, envelope: unbound }),
        });
        expect(loaded.source).toBe('baseline');
        expect(loaded.rejections[0]).toMatchObject({ reason: 'unbound_envelope' });
        expect(loaded.rejections[0]?.message).toContain('factoredui sign');
      }
    });

    it('a pinned load refuses an envelope signed as another version', async () => {
      const current = await floorAtTwo();
      const pinned = await load({ version: 1, store: serving(user, { ...current, version: 1 }) });
      expect(pinned.source).toBe('baseline');
      expect(pinned.rejections[0]).toMatchObject({ reason: 'version_mismatch' });
    });

    it('a cache entry whose version label differs from its signed version is dropped', async () => {
      await floorAtTwo();
      const key = [...kv.data.keys()][0] as string;
      const entry = JSON.parse(kv.data.get(key) as string);
      entry.version = 2e9;
      kv.data.set(key, JSON.stringify(entry));
      const offline: FactoredStore = {
        ...user,
        getActiveSpec: async () => {
          throw new FactoredError('unavailable', 'offline');
        },
      };
      const loaded = await load({ store: offline });
      expect(loaded.source).toBe('baseline');
      expect(loaded.rejections.map((r) => `${r.source}:${r.reason}`)).toEqual([
        'remote:unavailable',
        'cache:version_mismatch',
      ]);
    });
  });

  it('without a cache, a rejected remote falls back to the baseline', async () => {
    await publish(bannerSpec('Future', 5));
    const loaded = await load({ storage: null });
    expect(loaded.source).toBe('baseline');
    expect(loaded.rejections[0]).toMatchObject({ reason: 'renderer_too_old' });
  });

  it('re-verifies the cache: a tampered cache entry is rejected and forgotten', async () => {
    await publish(bannerSpec('Good'));
    await load();
    const key = [...kv.data.keys()][0] as string;
    const entry = JSON.parse(kv.data.get(key) as string);
    entry.envelope.spec.root.props.title = 'Injected';
    kv.data.set(key, JSON.stringify(entry));
    const offline: FactoredStore = {
      ...user,
      getActiveSpec: async () => {
        throw new Error('offline');
      },
    };
    const loaded = await load({ store: offline });
    expect(loaded.source).toBe('baseline');
    expect(loaded.rejections.map((r) => `${r.source}:${r.reason}`)).toEqual([
      'remote:unavailable',
      'cache:hash_mismatch',
    ]);
    expect(kv.data.size).toBe(0);
  });

  it('loads a pinned version (an experiment variant) and caches it separately', async () => {
    await publish(bannerSpec('v1'));
    await publish(bannerSpec('v2'));
    await load();
    const pinned = await load({ version: 1 });
    expect(pinned).toMatchObject({ source: 'remote', version: 1 });
    expect(pinned.spec).toEqual(bannerSpec('v1'));
    expect((await storage.load('banner', 'web'))?.version).toBe(2);
    expect((await storage.load('banner', 'web', 1))?.version).toBe(1);
    const missing = await load({ version: 9, storage: null });
    expect(missing).toMatchObject({ source: 'baseline' });
    expect(missing.rejections[0]).toMatchObject({ reason: 'not_found' });
  });

  it('throws invalid_input for an invalid baseline or missing verifier', async () => {
    const broken = { ...baseline, root: { id: 'x', type: 'nope' } } as unknown as Spec;
    await expect(load({ baseline: broken })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(load({ verifier: undefined as never })).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });

  describe('with the development verifier', () => {
    afterEach(() => {
      vi.unstubAllEnvs();
    });
    it('loads dev-signed specs in development and refuses them in production', async () => {
      vi.stubEnv('NODE_ENV', 'development');
      const dev = createDevSpecSigner();
      await publish(bannerSpec('Dev'), {
        sign: (spec, version) => dev.sign(spec, { ...SLOT, version }),
      });
      expect((await load({ verifier: devSignatureVerifier, storage: null })).source).toBe('remote');
      vi.stubEnv('NODE_ENV', 'production');
      const loaded = await load({ verifier: devSignatureVerifier, storage: null });
      expect(loaded.source).toBe('baseline');
      expect(loaded.rejections[0]).toMatchObject({ reason: 'dev_verifier_in_production' });
    });
  });
});

describe('createSpecLoader', () => {
  const nextChange = (loader: ReturnType<typeof createSpecLoader>) =>
    new Promise<SpecLoaderSnapshot>((resolve) => {
      const unsubscribe = loader.subscribe(() => {
        unsubscribe();
        resolve(loader.getSnapshot());
      });
    });

  it('starts on the baseline, loads on subscribe, and re-loads on activation', async () => {
    await publish(bannerSpec('First'));
    const loader = createSpecLoader({
      store: user,
      name: 'banner',
      platform: 'web',
      baseline,
      storage,
      verifier,
    });
    expect(loader.getSnapshot()).toMatchObject({
      status: 'loading',
      source: 'baseline',
      spec: baseline,
    });
    expect(loader.getServerSnapshot()).toBe(loader.getSnapshot());

    const seen: SpecLoaderSnapshot[] = [];
    const unsubscribe = loader.subscribe(() => seen.push(loader.getSnapshot()));
    await vi.waitFor(() => expect(loader.getSnapshot().status).toBe('ready'));
    expect(loader.getSnapshot()).toMatchObject({ source: 'remote', version: 1 });
    const ready = loader.getSnapshot();
    expect(loader.getSnapshot()).toBe(ready); // stable between changes

    await publish(bannerSpec('Second'));
    await vi.waitFor(() => expect(loader.getSnapshot().version).toBe(2));
    expect(loader.getSnapshot().spec).toEqual(bannerSpec('Second'));
    expect(loader.getServerSnapshot().source).toBe('baseline');
    unsubscribe();

    // Unsubscribed: no more store listening.
    const count = seen.length;
    await publish(bannerSpec('Third'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen.length).toBe(count);
    loader.destroy();
  });

  it('shows the verified cached spec while the remote check is in flight', async () => {
    await publish(bannerSpec('Cached'));
    await load();
    await publish(bannerSpec('Fresh'));
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow: FactoredStore = {
      ...user,
      getActiveSpec: async (input) => {
        await gate;
        return user.getActiveSpec(input);
      },
    };
    const loader = createSpecLoader({
      store: slow,
      name: 'banner',
      platform: 'web',
      baseline,
      storage,
      verifier,
    });
    const unsubscribe = loader.subscribe(() => {});
    await vi.waitFor(() => expect(loader.getSnapshot().source).toBe('cache'));
    expect(loader.getSnapshot()).toMatchObject({ status: 'loading', version: 1 });
    expect(loader.getSnapshot().spec).toEqual(bannerSpec('Cached'));
    release();
    await vi.waitFor(() => expect(loader.getSnapshot().status).toBe('ready'));
    expect(loader.getSnapshot()).toMatchObject({ source: 'remote', version: 2 });
    unsubscribe();
  });

  it('loadCachedSpec returns the re-verified cached entry without asking the store', async () => {
    await publish(bannerSpec('Cached'));
    expect(
      await loadCachedSpec({
        store: user,
        name: 'banner',
        platform: 'web',
        baseline,
        storage,
        verifier,
      }),
    ).toBeNull();
    await load();
    const offline: FactoredStore = {
      ...user,
      getActiveSpec: () => Promise.reject(new Error('must not be called')),
    };
    const cached = await loadCachedSpec({
      store: offline,
      name: 'banner',
      platform: 'web',
      baseline,
      storage,
      verifier,
    });
    expect(cached).toMatchObject({ source: 'cache', version: 1, keyId: 'k1' });
  });

  it('polls stores without realtime when refreshIntervalMs is set, only while subscribed', async () => {
    await publish(bannerSpec('Polled v1'));
    const getActiveSpec = vi.spyOn(user, 'getActiveSpec');
    const { subscribe: _realtime, ...withoutRealtime } = user;
    vi.useFakeTimers();
    try {
      const loader = createSpecLoader({
        store: withoutRealtime as FactoredStore,
        name: 'banner',
        platform: 'web',
        baseline,
        storage,
        verifier,
        refreshIntervalMs: 1000,
      });
      const unsubscribe = loader.subscribe(() => {});
      await vi.waitFor(() => expect(loader.getSnapshot().version).toBe(1));
      await publish(bannerSpec('Polled v2'));
      await vi.advanceTimersByTimeAsync(1000);
      await vi.waitFor(() => expect(loader.getSnapshot().version).toBe(2));
      unsubscribe();
      const calls = getActiveSpec.mock.calls.length;
      expect(calls).toBeGreaterThanOrEqual(2);
      await vi.advanceTimersByTimeAsync(5000);
      expect(getActiveSpec.mock.calls.length).toBe(calls);
    } finally {
      vi.useRealTimers();
    }
  });

  it('does not publish a new snapshot when a refresh changes nothing', async () => {
    await publish(bannerSpec('Same'));
    const loader = createSpecLoader({
      store: user,
      name: 'banner',
      platform: 'web',
      baseline,
      storage,
      verifier,
    });
    const first = nextChange(loader);
    const listener = vi.fn();
    const unsubscribe = loader.subscribe(listener);
    await first;
    const before = loader.getSnapshot();
    const calls = listener.mock.calls.length;
    expect(await loader.refresh()).toBe(before);
    expect(listener.mock.calls.length).toBe(calls);
    unsubscribe();
  });

  it('coalesces concurrent refreshes', async () => {
    await publish(bannerSpec('Once'));
    const getActiveSpec = vi.spyOn(user, 'getActiveSpec');
    const loader = createSpecLoader({
      store: user,
      name: 'banner',
      platform: 'web',
      baseline,
      storage,
      verifier,
    });
    await Promise.all([loader.refresh(), loader.refresh(), loader.refresh()]);
    expect(getActiveSpec.mock.calls.length).toBeLessThanOrEqual(2);
    expect(loader.getSnapshot()).toMatchObject({ status: 'ready', version: 1 });
  });

  it('reports rejections in the snapshot', async () => {
    await publish(bannerSpec('Future', 3));
    const loader = createSpecLoader({
      store: user,
      name: 'banner',
      platform: 'web',
      baseline,
      storage,
      verifier,
    });
    const snapshot = await loader.refresh();
    expect(snapshot).toMatchObject({ status: 'ready', source: 'baseline' });
    expect(snapshot.rejections[0]).toMatchObject({ reason: 'renderer_too_old' });
  });

  it('refuses an invalid baseline up front', () => {
    expect(() =>
      createSpecLoader({
        store: user,
        name: 'banner',
        platform: 'web',
        baseline: { spec_version: 1 } as unknown as Spec,
        verifier,
      }),
    ).toThrowError(/Invalid spec/);
  });
});
