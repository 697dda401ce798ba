import { useSyncExternalStore } from 'react';

/** The demo's routes, kept in the URL hash so the static build works on any host. */
export type Route =
  | { name: 'catalog' }
  | { name: 'product'; id: string }
  | { name: 'cart' }
  | { name: 'checkout'; id?: string }
  | { name: 'governor' };

/** Parses `#/product/aurora-lamp`, `#/cart`, `#/checkout` (the cart's items) and friends. */
export function parseRoute(hash: string): Route {
  const [, first, second] = hash.replace(/^#/, '').split('/');
  if (first === 'product' && second) return { name: 'product', id: second };
  if (first === 'cart') return { name: 'cart' };
  if (first === 'checkout') return second ? { name: 'checkout', id: second } : { name: 'checkout' };
  if (first === 'governor') return { name: 'governor' };
  return { name: 'catalog' };
}

/** The hash for a route. */
export function hrefFor(route: Route): string {
  switch (route.name) {
    case 'catalog':
      return '#/';
    case 'product':
      return `#/product/${route.id}`;
    case 'cart':
      return '#/cart';
    case 'checkout':
      return route.id ? `#/checkout/${route.id}` : '#/checkout';
    case 'governor':
      return '#/governor';
  }
}

const subscribe = (listener: () => void) => {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
};

/** The current route, re-rendering on navigation. */
export function useRoute(): Route {
  const hash = useSyncExternalStore(
    subscribe,
    () => window.location.hash,
    () => '',
  );
  return parseRoute(hash);
}
