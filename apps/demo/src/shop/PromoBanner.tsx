import { createSpecLoader, createSpecStorage, resolveProps, type SpecNode } from '@factoredui/core';
import { useFactoredStore } from '@factoredui/react';
import { type JSX, type ReactNode, useMemo, useSyncExternalStore } from 'react';
import { PROMO_BASELINE, PROMO_SLOT } from '../lib/config.js';
import { useRuntime } from '../lib/runtime-context.js';
import { hrefFor } from '../router.js';

/** Data the promo spec binds to (`{promo.discount}`...). */
const SCOPE = { promo: { discount: '20%', freeShipping: '$50' } };

function runAction(node: SpecNode): void {
  const productId = node.action?.params?.productId;
  if (node.action?.name === 'promo.open' && typeof productId === 'string')
    window.location.hash = hrefFor({ name: 'product', id: productId });
}

/** Renders the node types the promo uses, until the SDUI renderer package is available. */
function renderNode(node: SpecNode): ReactNode {
  const props = resolveProps(node.props as Record<string, unknown> | undefined, SCOPE);
  const text = (key: string) => (typeof props[key] === 'string' ? (props[key] as string) : '');
  const children = 'children' in node && Array.isArray(node.children) ? node.children : [];
  const kids = children.map((child) => <Slot key={child.id} node={child as SpecNode} />);
  switch (node.type) {
    case 'card':
      return (
        <div className="sdui-card">
          {text('title') ? <h2>{text('title')}</h2> : null}
          {kids}
        </div>
      );
    case 'row':
      return <div className="sdui-row">{kids}</div>;
    case 'column':
      return <div className="sdui-column">{kids}</div>;
    case 'text':
      return (
        <p
          className={`sdui-text sdui-${text('variant') || 'body'} tone-${text('tone') || 'default'}`}
        >
          {text('content')}
        </p>
      );
    case 'chip':
      return <span className={`pill pill-${text('tone') || 'default'}`}>{text('label')}</span>;
    case 'button':
      return (
        <button type="button" className="btn btn-primary" onClick={() => runAction(node)}>
          {text('label')}
        </button>
      );
    default:
      return null;
  }
}

function Slot({ node }: { node: SpecNode }): JSX.Element {
  return <>{renderNode(node)}</>;
}

/**
 * The catalog's promo banner: the active signed spec of the `catalog-promo` slot, loaded and
 * verified with the Ed25519 key generated at start-up (fail closed: a bad signature, an
 * unknown key or a rollback falls back to the cached or bundled baseline).
 */
export function PromoBanner(): JSX.Element {
  const store = useFactoredStore();
  const { verifier } = useRuntime();
  const loader = useMemo(
    () =>
      createSpecLoader({
        store,
        ...PROMO_SLOT,
        baseline: PROMO_BASELINE,
        verifier,
        storage: createSpecStorage(window.localStorage, { prefix: 'demo:spec:' }),
      }),
    [store, verifier],
  );
  const snapshot = useSyncExternalStore(
    loader.subscribe,
    loader.getSnapshot,
    loader.getServerSnapshot,
  );
  return (
    <section className="promo-slot" data-testid="promo" data-source={snapshot.source}>
      <Slot node={snapshot.spec.root} />
      <p className="sdui-meta">
        {snapshot.source === 'baseline'
          ? 'Bundled baseline'
          : `Signed spec v${snapshot.version} · key ${snapshot.keyId} · verified with Ed25519 (${snapshot.source})`}
        {snapshot.rejections.length > 0
          ? ` · rejected: ${snapshot.rejections.map((r) => `${r.source} ${r.reason}`).join(', ')}`
          : ''}
      </p>
    </section>
  );
}
