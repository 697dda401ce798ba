// @vitest-environment jsdom
import {
  createDataSourceCache,
  createEd25519Signer,
  createEd25519Verifier,
  createMemoryKVStorage,
  createSpecStorage,
  type DataSourceRegistry,
  generateEd25519Keypair,
  hashSpec,
  type JsonObject,
  nextSpecVersion,
  publishSpec,
  type Spec,
  type SpecStorage,
  type SpecVerifier,
} from '@factoredui/core';
import { FactoredProvider } from '@factoredui/react';
import { SpecView, type UseSpecResult, useSourceData, useSpec } from '@factoredui/sdui-react';
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createStores } from './fixtures.js';

afterEach(cleanup);

const banner = (content: string): Spec => ({
  spec_version: 1,
  renderer_min: 1,
  root: { id: 'banner', type: 'text', props: { content } },
});
const baseline = banner('Baseline banner');

let signer: ReturnType<typeof createEd25519Signer>;
let verifier: SpecVerifier;
beforeAll(async () => {
  const { privateKey, publicKey } = await generateEd25519Keypair();
  signer = createEd25519Signer({ privateKey, keyId: 'k1' });
  verifier = createEd25519Verifier({ k1: publicKey });
});

type Stores = ReturnType<typeof createStores>;

const PROMO = { name: 'promo', platform: 'web' } as const;

async function publish(stores: Stores, content: string, signedAt?: string) {
  const envelope = await signer.sign(banner(content) as unknown as JsonObject, {
    ...PROMO,
    version: await nextSpecVersion(stores.service, PROMO),
    ...(signedAt ? { signedAt } : {}),
  });
  return publishSpec(stores.service, { name: 'promo', platform: 'web', envelope, verifier });
}

let result: UseSpecResult | null = null;
function Slot({ storage }: { storage: SpecStorage | null }) {
  result = useSpec('promo', { baseline, verifier, storage });
  return <SpecView spec={result.spec} />;
}

function mount(stores: Stores, storage: SpecStorage | null) {
  return render(
    <FactoredProvider store={stores.user} capture={false}>
      <Slot storage={storage} />
    </FactoredProvider>,
  );
}

describe('useSpec', () => {
  it('renders the baseline first, then the verified remote spec, and re-renders on activation', async () => {
    const stores = createStores();
    await publish(stores, 'Version one');
    mount(stores, createSpecStorage(createMemoryKVStorage()));
    expect(screen.getByText('Baseline banner')).toBeTruthy();
    await screen.findByText('Version one');
    expect(result).toMatchObject({ source: 'remote', version: 1, keyId: 'k1', isLoading: false });
    await act(async () => {
      await publish(stores, 'Version two');
    });
    await screen.findByText('Version two');
    expect(result?.version).toBe(2);
  });

  it('renders the cached spec when the remote one is tampered, and says why', async () => {
    const stores = createStores();
    const storage = createSpecStorage(createMemoryKVStorage());
    await publish(stores, 'Trusted');
    const first = mount(stores, storage);
    await screen.findByText('Trusted');
    first.unmount();

    // A compromised backend stores content that does not match the signed hash.
    const signed = await signer.sign(banner('Original') as unknown as JsonObject, {
      ...PROMO,
      version: 2,
    });
    const tampered = { ...signed, spec: banner('Pay here: evil.example') as unknown as JsonObject };
    const saved = await stores.service.saveSpec({
      name: 'promo',
      platform: 'web',
      envelope: tampered,
    });
    await stores.service.activateSpec({ name: 'promo', platform: 'web', version: saved.version });
    expect(tampered.spec_hash).not.toBe(hashSpec(tampered.spec));

    mount(stores, storage);
    await waitFor(() => expect(result?.status).toBe('ready'));
    expect(screen.getByText('Trusted')).toBeTruthy();
    expect(screen.queryByText(/evil/)).toBeNull();
    expect(result?.source).toBe('cache');
    expect(result?.rejections).toEqual([
      expect.objectContaining({ source: 'remote', reason: 'hash_mismatch', version: 2 }),
    ]);
  });

  it('refuses a rolled-back remote version and keeps the newer cached one', async () => {
    const stores = createStores();
    const storage = createSpecStorage(createMemoryKVStorage());
    await publish(stores, 'Old', '2026-01-01T00:00:00Z');
    await publish(stores, 'New', '2026-02-01T00:00:00Z');
    const first = mount(stores, storage);
    await screen.findByText('New');
    first.unmount();

    await stores.service.activateSpec({ name: 'promo', platform: 'web', version: 1 });
    mount(stores, storage);
    await waitFor(() => expect(result?.status).toBe('ready'));
    expect(screen.getByText('New')).toBeTruthy();
    expect(result).toMatchObject({ source: 'cache', version: 2 });
    expect(result?.rejections.map((r) => r.reason)).toEqual(['rollback']);
  });

  it('falls back to the baseline when nothing verified exists', async () => {
    const stores = createStores();
    const other = await generateEd25519Keypair();
    const foreign = createEd25519Signer({ privateKey: other.privateKey, keyId: 'k1' });
    const envelope = await foreign.sign(banner('Forged') as unknown as JsonObject, {
      ...PROMO,
      version: 1,
    });
    const saved = await stores.service.saveSpec({ name: 'promo', platform: 'web', envelope });
    await stores.service.activateSpec({ name: 'promo', platform: 'web', version: saved.version });
    mount(stores, null);
    await waitFor(() => expect(result?.status).toBe('ready'));
    expect(screen.getByText('Baseline banner')).toBeTruthy();
    expect(result?.source).toBe('baseline');
    expect(result?.rejections.map((r) => r.reason)).toEqual(['bad_signature']);
  });
});

let data: ReturnType<typeof useSourceData> | null = null;
function Products({
  registry,
  cache,
}: {
  registry: DataSourceRegistry;
  cache: ReturnType<typeof createDataSourceCache>;
}) {
  data = useSourceData(registry, cache);
  return (
    <SpecView
      spec={{
        spec_version: 1,
        renderer_min: 1,
        root: {
          id: 'products',
          type: 'list',
          props: { data: '{products}', emptyText: 'Loading' },
          itemTemplate: { id: 'name', type: 'text', props: { content: '{item.name}' } },
        },
      }}
      context={{ scope: data.data }}
    />
  );
}

let inlineFetches = 0;
const inlineRegistry: DataSourceRegistry = {
  products: {
    cache: 'local',
    fetch: () => {
      inlineFetches += 1;
      return [{ name: 'Tea' }];
    },
  },
};
function Inline() {
  // A new cache on every render: its identity must not start another fetch.
  const result = useSourceData(inlineRegistry, createDataSourceCache(createMemoryKVStorage()));
  return (
    <p>
      {result.isLoading
        ? 'loading'
        : `items:${String((result.data.products as unknown[] | undefined)?.length)}`}
    </p>
  );
}

describe('useSourceData', () => {
  it('fetches sources, serves the cache offline and reports errors per source', async () => {
    const cache = createDataSourceCache(createMemoryKVStorage());
    let online = true;
    let fetches = 0;
    const registry = (): DataSourceRegistry => ({
      products: {
        cache: 'local',
        maxItems: 2,
        fetch: () => {
          fetches += 1;
          if (!online) throw new Error('offline');
          return [{ name: 'Tea' }, { name: 'Cup' }, { name: 'Pot' }];
        },
      },
      broken: { fetch: () => Promise.reject(new Error('nope')) },
    });
    const view = render(<Products registry={registry()} cache={cache} />);
    expect(data?.isLoading).toBe(true);
    await screen.findByText('Cup');
    expect(screen.queryByText('Pot')).toBeNull();
    expect(data?.results.products?.status).toBe('fresh');
    expect(data?.errors.broken?.message).toContain('nope');
    // A new registry literal with the same names does not refetch.
    view.rerender(<Products registry={registry()} cache={cache} />);
    expect(fetches).toBe(1);

    online = false;
    await act(async () => {
      await data!.refresh();
    });
    expect(screen.getByText('Tea')).toBeTruthy();
    expect(data?.results.products?.status).toBe('cached');
    expect(data?.errors.products?.message).toContain('offline');
  });

  it('fetches once when the cache object is created inline during render', async () => {
    inlineFetches = 0;
    render(<Inline />);
    await screen.findByText('items:1');
    // Let any follow-up fetch (and its re-render) run: the old hook refetched on every render.
    await act(async () => {
      for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
    });
    expect(inlineFetches).toBe(1);
  });
});
