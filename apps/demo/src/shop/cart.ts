import { useSyncExternalStore } from 'react';
import { PRODUCTS } from './catalog-data.js';

/** One line of the cart. */
export interface CartLine {
  productId: string;
  quantity: number;
}

const KEY = 'demo:cart';
const listeners = new Set<() => void>();
let cached: { raw: string | null; lines: CartLine[] } = { raw: null, lines: [] };

function read(): CartLine[] {
  const raw = window.localStorage.getItem(KEY);
  if (raw === cached.raw) return cached.lines;
  let lines: CartLine[] = [];
  try {
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    if (Array.isArray(parsed))
      lines = parsed.filter(
        (line): line is CartLine =>
          typeof line?.productId === 'string' &&
          PRODUCTS.some((p) => p.id === line.productId) &&
          Number.isInteger(line.quantity) &&
          line.quantity > 0,
      );
  } catch {
    // A damaged cart is an empty cart.
  }
  cached = { raw, lines };
  return lines;
}

function write(lines: CartLine[]): void {
  window.localStorage.setItem(KEY, JSON.stringify(lines));
  for (const listener of listeners) listener();
}

/** The cart (kept in `localStorage`, so it survives reloads; a reset empties it). */
export const cart = {
  lines: read,
  add(productId: string): void {
    const lines = read();
    const line = lines.find((l) => l.productId === productId);
    write(
      line
        ? lines.map((l) => (l === line ? { ...l, quantity: l.quantity + 1 } : l))
        : [...lines, { productId, quantity: 1 }],
    );
  },
  setQuantity(productId: string, quantity: number): void {
    write(
      read()
        .map((l) => (l.productId === productId ? { ...l, quantity } : l))
        .filter((l) => l.quantity > 0),
    );
  },
  clear(): void {
    write([]);
  },
};

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  window.addEventListener('storage', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', listener);
  };
};

/** The cart's lines, re-rendering when they change (in this tab or another). */
export function useCart(): CartLine[] {
  return useSyncExternalStore(subscribe, read, () => []);
}
