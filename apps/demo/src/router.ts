import { useSyncExternalStore } from 'react';

/** The demo's routes, kept in the URL hash so the static build works on any host. */
export type Route =
  | { name: 'catalog' }
  | { name: 'product'; id: string }
  | { name: 'checkout'; id: string }
  | { name: 'governor' };

/** Parses `#/product/aurora-lamp` and friends. */
export function parseRoute(hash: string): Route {
  const [, first, second] = hash.replace(/^#/, '').split('/');
  if (first === 'product' && second) return { name: 'product', id: second };
  if (first === 'checkout' && second) return { name: 'checkout', id: second };
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
    case 'checkout':
      return `#/checkout/${route.id}`;
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
