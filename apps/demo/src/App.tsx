import { FactoredProvider, useCapture } from '@factoredui/react';
import { type JSX, useEffect } from 'react';
import { GovernorView } from './governor/GovernorView.js';
import type { DemoRuntime } from './lib/runtime.js';
import { RuntimeContext } from './lib/runtime-context.js';
import { PersistenceNotice } from './PersistenceNotice.js';
import { hrefFor, type Route, useRoute } from './router.js';
import { Cart } from './shop/Cart.js';
import { Catalog } from './shop/Catalog.js';
import { Checkout } from './shop/Checkout.js';
import { useCart } from './shop/cart.js';
import { ProductPage } from './shop/ProductPage.js';

function NavLink({
  to,
  current,
  children,
}: {
  to: Route;
  current: Route;
  children: string;
}): JSX.Element {
  const active =
    to.name === current.name ||
    (to.name === 'catalog' && current.name === 'product') ||
    (to.name === 'cart' && current.name === 'checkout');
  return (
    <a href={hrefFor(to)} aria-current={active ? 'page' : undefined}>
      {children}
    </a>
  );
}

function Screen({ route }: { route: Route }): JSX.Element {
  switch (route.name) {
    case 'catalog':
      return <Catalog />;
    case 'product':
      return <ProductPage id={route.id} />;
    case 'cart':
      return <Cart />;
    case 'checkout':
      return <Checkout {...(route.id ? { id: route.id } : {})} />;
    case 'governor':
      return <GovernorView />;
  }
}

/**
 * In `?sink=` mode only: exposes the capture handle as `window.factoredCapture`, so the
 * durability end-to-end test can record events whose ids it knows and read the counters.
 */
function ExposeCaptureForTests(): null {
  const capture = useCapture();
  useEffect(() => {
    (window as { factoredCapture?: typeof capture }).factoredCapture = capture;
  }, [capture]);
  return null;
}

function CartLink({ current }: { current: Route }): JSX.Element {
  const count = useCart().reduce((sum, line) => sum + line.quantity, 0);
  return (
    <NavLink to={{ name: 'cart' }} current={current}>
      {count > 0 ? `Cart (${count})` : 'Cart'}
    </NavLink>
  );
}

/** The demo: the shop (captured as the visitor) and the governor view (service role). */
export function App({ runtime }: { runtime: DemoRuntime }): JSX.Element {
  const route = useRoute();
  return (
    <RuntimeContext.Provider value={runtime}>
      <FactoredProvider
        store={runtime.store}
        capture={{
          appVersion: '1.4.0',
          flushIntervalMs: 1000,
          onError: (error) => console.warn('capture:', error),
        }}
      >
        {runtime.sinkUrl ? <ExposeCaptureForTests /> : null}
        {/* A button, not a `#content` link: the hash holds the route. */}
        <button
          type="button"
          className="skip-link"
          onClick={() => document.getElementById('content')?.focus()}
        >
          Skip to content
        </button>
        <header className="topbar">
          <a className="brand" href={hrefFor({ name: 'catalog' })}>
            <span className="brand-mark" aria-hidden="true">
              F
            </span>
            Factored Goods
          </a>
          <nav className="nav" aria-label="Main">
            <NavLink to={{ name: 'catalog' }} current={route}>
              Shop
            </NavLink>
            <CartLink current={route} />
            <NavLink to={{ name: 'governor' }} current={route}>
              Governor
            </NavLink>
          </nav>
          <span className="store-badge" title="Where the demo keeps its data">
            {runtime.sinkUrl
              ? 'In-memory store · events to a sink'
              : runtime.mode === 'memory'
                ? 'In-memory store · IndexedDB'
                : 'Supabase store'}
          </span>
        </header>
        <main id="content" tabIndex={-1}>
          <PersistenceNotice persistence={runtime.persistence} />
          {runtime.warnings.map((warning) => (
            <div key={warning} className="error-box warning" role="status">
              {warning}
            </div>
          ))}
          <Screen route={route} />
        </main>
      </FactoredProvider>
    </RuntimeContext.Provider>
  );
}
