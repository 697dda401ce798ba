import {
  buildFactorDashboardSpec,
  type ComponentFactorAggregate,
  type ComponentFactorsData,
  componentFactorSource,
  createDataSourceCache,
  createItemScope,
  createMemoryKVStorage,
  FACTOR_CATALOG,
  FactoredError,
  type FactoredStore,
  type FactorSnapshotValue,
  type FactorValue,
  factorHistorySource,
  factorSource,
  formatFactorValue,
  resolveAllSources,
  resolveBinding,
  resolveProps,
  resolveVisibility,
  type SpecNode,
  validateSpec,
} from '@factoredui/core';
import { describe, expect, it, vi } from 'vitest';

const NOW = Date.parse('2026-04-01T12:00:00.000Z');

describe('resolveAllSources', () => {
  it('fetches every source in parallel and applies maxItems', async () => {
    const { data, results, errors } = await resolveAllSources(
      {
        products: { fetch: async () => [1, 2, 3, 4, 5], maxItems: 2 },
        user: { fetch: () => ({ name: 'Ada' }) },
      },
      undefined,
      { now: () => NOW },
    );
    expect(data).toEqual({ products: [1, 2], user: { name: 'Ada' } });
    expect(results.products).toEqual({
      status: 'fresh',
      value: [1, 2],
      error: null,
      fetchedAt: '2026-04-01T12:00:00.000Z',
    });
    expect(errors).toEqual({});
  });

  it('reports errors per source without failing the others', async () => {
    const { data, results, errors } = await resolveAllSources({
      ok: { fetch: () => 'fine' },
      broken: {
        fetch: () => {
          throw new Error('HTTP 500');
        },
      },
      denied: { fetch: () => Promise.reject(new FactoredError('unauthorized', 'no access')) },
    });
    expect(data).toEqual({ ok: 'fine' });
    expect(results.broken?.status).toBe('error');
    expect(errors.broken).toMatchObject({ code: 'unavailable' });
    expect(errors.broken?.message).toContain('HTTP 500');
    expect(errors.denied).toMatchObject({ code: 'unauthorized' });
  });

  it('serves the cached value when a local-cache source fails (offline), and reports the error', async () => {
    const kv = createMemoryKVStorage();
    const cache = createDataSourceCache(kv, { now: () => NOW });
    let online = true;
    const registry = {
      products: {
        cache: 'local' as const,
        maxItems: 2,
        fetch: async () => {
          if (!online) throw new Error('offline');
          return [{ sku: 'A' }, { sku: 'B' }, { sku: 'C' }];
        },
      },
      live: {
        cache: 'none' as const,
        fetch: async () => {
          if (!online) throw new Error('offline');
          return 1;
        },
      },
    };
    await resolveAllSources(registry, cache);
    online = false;
    const offline = await resolveAllSources(registry, cache);
    expect(offline.results.products).toMatchObject({
      status: 'cached',
      value: [{ sku: 'A' }, { sku: 'B' }],
      fetchedAt: '2026-04-01T12:00:00.000Z',
    });
    expect(offline.errors.products?.message).toContain('offline');
    expect(offline.data.products).toEqual([{ sku: 'A' }, { sku: 'B' }]);
    expect(offline.results.live?.status).toBe('error');
    expect('live' in offline.data).toBe(false);
  });

  it('keeps a source named __proto__ an ordinary key', async () => {
    const { data } = await resolveAllSources({
      ['__proto__']: { fetch: () => ({ polluted: true }) },
    });
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(Object.hasOwn(data, '__proto__')).toBe(true);
  });

  it('passes the name and abort signal to fetch', async () => {
    const fetch = vi.fn(() => 1);
    const controller = new AbortController();
    await resolveAllSources({ one: { fetch } }, undefined, { signal: controller.signal });
    expect(fetch).toHaveBeenCalledWith({ name: 'one', signal: controller.signal });
  });
});

const PATH = 'shop/checkout/payment';

function aggregate(
  factor: ComponentFactorAggregate['factor'],
  mean: number,
): ComponentFactorAggregate {
  return {
    path: PATH,
    factor,
    userCount: 7,
    mean,
    median: mean,
    p95: mean * 2,
    min: 0,
    max: mean * 3,
    stddev: 0.5,
    asOf: '2026-04-01T00:00:00.000Z',
  };
}

/** Only the factor reads the sources use; every other method is unreachable. */
function factorStore(data: {
  aggregates?: ComponentFactorAggregate[];
  factors?: FactorValue[];
  history?: FactorSnapshotValue[];
}): FactoredStore & { calls: unknown[] } {
  const calls: unknown[] = [];
  const base = {
    calls,
    getComponentAggregates: async (query: unknown) => {
      calls.push(query);
      return data.aggregates ?? [];
    },
    getFactors: async (query: unknown) => {
      calls.push(query);
      return data.factors ?? [];
    },
    getFactorHistory: async (query: unknown) => {
      calls.push(query);
      return data.history ?? [];
    },
  };
  return base as unknown as FactoredStore & { calls: unknown[] };
}

describe('factor data sources', () => {
  it('componentFactorSource shapes aggregates for specs, in catalog order', async () => {
    const store = factorStore({
      aggregates: [
        aggregate('hesitation_ms', 840.4),
        aggregate('error_rate', 0.125),
        aggregate('component_depth', 3),
      ],
    });
    const value = (await componentFactorSource(store, PATH).fetch({
      name: 'componentFactors',
    })) as ComponentFactorsData;
    expect(store.calls).toEqual([{ path: PATH }]);
    expect(value.rows.map((r) => r.factor)).toEqual([
      'error_rate',
      'hesitation_ms',
      'component_depth',
    ]);
    expect(value.byFactor.error_rate).toMatchObject({
      label: 'Error rate',
      tier: 'alarm',
      direction: 'lower',
    });
    expect(value.byFactor.error_rate?.display.mean).toBe('12.5%');
    expect(value.byFactor.hesitation_ms?.label).toBe('Hesitation (ms)');
    expect(value.byFactor.hesitation_ms?.display.mean).toBe('840 ms');
    expect(value.byTier.alarm).toHaveLength(1);
    expect(value.byTier.structural).toHaveLength(1);
    expect(value).toMatchObject({ userCount: 7, empty: false, asOf: '2026-04-01T00:00:00.000Z' });
    const catalog = FACTOR_CATALOG.find((d) => d.name === 'error_rate');
    expect(value.byFactor.error_rate?.description).toBe(catalog?.description);
  });

  it('factorSource and factorHistorySource add labels and display text', async () => {
    const factor: FactorValue = {
      userId: 'u',
      path: PATH,
      factor: 'completion_rate',
      value: 0.5,
      asOf: '2026-04-01T00:00:00.000Z',
    };
    const store = factorStore({
      factors: [factor],
      history: [{ ...factor, snapshotAt: factor.asOf }],
    });
    const rows = await factorSource(store, 'u', PATH, { factors: ['completion_rate'] }).fetch({
      name: 'f',
    });
    expect(rows).toEqual([
      expect.objectContaining({ value: 0.5, display: '50.0%', label: 'Completion rate' }),
    ]);
    const history = await factorHistorySource(store, 'u', PATH, '2026-03-01T00:00:00.000Z', {
      maxItems: 5,
    });
    expect(history.maxItems).toBe(5);
    expect(await history.fetch({ name: 'h' })).toEqual([
      expect.objectContaining({ snapshotAt: factor.asOf, display: '50.0%' }),
    ]);
    expect(store.calls).toContainEqual({ userId: 'u', path: PATH, factors: ['completion_rate'] });
  });

  it('rejects bad input with invalid_input', () => {
    const store = factorStore({});
    expect(() => componentFactorSource(store, '')).toThrowError(FactoredError);
    expect(() => buildFactorDashboardSpec('a/b/c/d/e')).toThrowError(/at most 4 segments/);
  });

  it('formats values by unit, and absent values as a dash', () => {
    expect(formatFactorValue('drop_off_rate', 0.3333)).toBe('33.3%');
    expect(formatFactorValue('rage_click_count', 1200)).toBe('1,200');
    expect(formatFactorValue('sibling_count', 2.456)).toBe('2.46');
    expect(formatFactorValue('sibling_count', null)).toBe('–');
  });
});

describe('buildFactorDashboardSpec', () => {
  /** Renders the spec to text the way a renderer would: visibility, lists, bindings. */
  function renderText(node: SpecNode, scope: Record<string, unknown>): string[] {
    if (!resolveVisibility(node.visible, scope)) return [];
    const props = resolveProps(node.props as Record<string, unknown> | undefined, scope);
    const own = ['content', 'title', 'subtitle', 'label'].flatMap((k) =>
      typeof props[k] === 'string' ? [props[k] as string] : [],
    );
    if (node.type === 'list') {
      const items = resolveBinding((node.props as { data: string }).data, scope);
      return (Array.isArray(items) ? items : []).flatMap((item, i) =>
        renderText(node.itemTemplate, createItemScope(scope, item, i)),
      );
    }
    const children = 'children' in node ? (node.children ?? []) : [];
    return [...own, ...children.flatMap((child) => renderText(child, scope))];
  }

  it('is a valid spec with unique ids, even for paths with braces', () => {
    expect(validateSpec(buildFactorDashboardSpec(PATH)).errors).toEqual([]);
    const odd = buildFactorDashboardSpec('shop/{odd}/path', {
      idPrefix: 'fd2',
      title: 'Custom {title}',
    });
    expect(validateSpec(odd).errors).toEqual([]);
    expect(renderText(odd.root, {})[0]).toBe('Custom {title}');
  });

  it('shows each factor with its catalog label, grouped by tier', async () => {
    const store = factorStore({
      aggregates: [aggregate('error_rate', 0.125), aggregate('rage_click_count', 2)],
    });
    const { data } = await resolveAllSources({
      componentFactors: componentFactorSource(store, PATH),
    });
    const lines = renderText(buildFactorDashboardSpec(PATH).root, data);
    expect(lines).toContain(`Factors of ${PATH}`);
    expect(lines).toContain('Error rate');
    expect(lines).toContain('Mean 12.5%');
    expect(lines).toContain('Rage click count');
    expect(lines).toContain('7 users');
    expect(lines).toContain('Alarms: something is wrong');
    expect(lines).not.toContain('Structure: what the component is');
    expect(lines.join('\n')).not.toContain('Not enough users');
  });

  it('explains an empty dashboard (fewer than 5 users)', async () => {
    const { data } = await resolveAllSources({
      componentFactors: componentFactorSource(factorStore({}), PATH),
    });
    const lines = renderText(buildFactorDashboardSpec(PATH).root, data);
    expect(lines.join('\n')).toContain('at least 5 users');
  });
});
