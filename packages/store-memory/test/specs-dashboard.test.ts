import {
  buildFactorDashboardSpec,
  type ComponentFactorsData,
  componentFactorSource,
  createEventId,
  createItemScope,
  createRandomId,
  type FactoredEvent,
  factorHistorySource,
  factorSource,
  resolveAllSources,
  resolveBinding,
  resolveProps,
  resolveVisibility,
  type SpecNode,
  validateSpec,
} from '@factoredui/core';
import { createMemoryDatabase, createMemoryStore } from '@factoredui/store-memory';
import { describe, expect, it } from 'vitest';

const PATH = 'shop/checkout/payment';
const T0 = Date.parse('2026-05-04T10:00:00.000Z');
const AS_OF = new Date(T0 + 60 * 60 * 1000).toISOString();

/** Text a renderer would show for the spec: visibility, lists and bindings applied. */
function renderText(node: SpecNode, scope: Record<string, unknown>): string[] {
  if (!resolveVisibility(node.visible, scope)) return [];
  const props = resolveProps(node.props as Record<string, unknown> | undefined, scope);
  const own = ['content', 'title', 'label'].flatMap((k) =>
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

/** `users` users, each with one session: an impression, `errors` errors and a click. */
async function seed(users: number, errors: number) {
  const database = createMemoryDatabase();
  const service = createMemoryStore({ database, role: 'service' });
  const ids: string[] = [];
  for (let u = 0; u < users; u++) {
    const userId = `user-${u}`;
    ids.push(userId);
    const store = createMemoryStore({ database, userId });
    const sessionId = createRandomId();
    await store.startSession({
      id: sessionId,
      userId,
      startedAt: new Date(T0).toISOString(),
      metadata: { platform: 'web' },
    });
    const at = (ms: number) => new Date(T0 + ms).toISOString();
    const event = (type: FactoredEvent['type'], ms: number): FactoredEvent => ({
      id: createEventId(),
      sessionId,
      userId,
      type,
      path: PATH,
      payload: {},
      createdAt: at(ms),
    });
    await store.insertEvents([
      event('impression', 0),
      ...Array.from({ length: errors }, (_, i) => event('error', 100 + i)),
      event('click', 1000 + u * 100),
    ]);
  }
  await service.recomputeFactors({ asOf: AS_OF });
  await service.snapshotFactors({ asOf: AS_OF });
  return { database, service, ids };
}

describe('factor dashboard on the memory store', () => {
  it('shows aggregates of real factors computed from captured events', async () => {
    const { service } = await seed(6, 1);
    const { data, errors } = await resolveAllSources({
      componentFactors: componentFactorSource(service, PATH),
    });
    expect(errors).toEqual({});
    const value = data.componentFactors as ComponentFactorsData;
    expect(value.empty).toBe(false);
    expect(value.byFactor.error_rate?.userCount).toBe(6);
    // 1 error out of 3 events per user.
    expect(value.byFactor.error_rate?.mean).toBeCloseTo(1 / 3);
    const spec = buildFactorDashboardSpec(PATH);
    expect(validateSpec(spec).errors).toEqual([]);
    const lines = renderText(spec.root, data);
    expect(lines).toContain('Error rate');
    expect(lines).toContain('Mean 33.3%');
    expect(lines).toContain('6 users');
    expect(lines).toContain('Hesitation (ms)');
  });

  it('withholds aggregates below 5 users and says so', async () => {
    const { service } = await seed(4, 1);
    const { data } = await resolveAllSources({
      componentFactors: componentFactorSource(service, PATH),
    });
    expect((data.componentFactors as ComponentFactorsData).empty).toBe(true);
    const lines = renderText(buildFactorDashboardSpec(PATH).root, data);
    expect(lines.join('\n')).toContain('at least 5 users');
    expect(lines).not.toContain('Error rate');
  });

  it("a user's factor and history sources read only that user's rows", async () => {
    const { database } = await seed(5, 2);
    const user = createMemoryStore({ database, userId: 'user-3' });
    const { data, errors } = await resolveAllSources({
      mine: factorSource(user, 'user-3', PATH, { factors: ['error_rate'] }),
      history: factorHistorySource(user, 'user-3', PATH, '2026-05-01T00:00:00.000Z'),
      theirs: factorSource(user, 'user-1', PATH),
    });
    expect(data.mine).toEqual([
      expect.objectContaining({ userId: 'user-3', factor: 'error_rate', display: '50.0%' }),
    ]);
    expect((data.history as { userId: string }[]).every((row) => row.userId === 'user-3')).toBe(
      true,
    );
    expect((data.history as unknown[]).length).toBeGreaterThan(0);
    // Another user's factors are invisible to this store (row-level access), never leaked.
    expect(errors).toEqual({});
    expect(data.theirs).toEqual([]);
  });
});
