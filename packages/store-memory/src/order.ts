/** Orders strings by UTF-16 code units, like PostgreSQL's `COLLATE "C"`. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A comparator over `keys` in turn: the first key that differs decides. Keys are text
 * (ISO times sort correctly as text), compared by code units.
 */
export function orderBy<T>(...keys: readonly ((row: T) => string)[]): (a: T, b: T) => number {
  return (a, b) => {
    for (const keyOf of keys) {
      const order = compareText(keyOf(a), keyOf(b));
      if (order !== 0) return order;
    }
    return 0;
  };
}
