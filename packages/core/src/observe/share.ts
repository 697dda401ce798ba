function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Returns `next`, except that every part of it deeply equal to the same part of `previous` is
 * replaced by the previous object (structural sharing, as TanStack Query does). A refetch that
 * returns equal data therefore yields the very same reference, and memoized consumers do not
 * re-render. Only plain objects and arrays are compared; anything else is taken from `next`.
 */
export function replaceEqualDeep<T>(previous: unknown, next: T): T {
  if (previous === next) return next;
  const bothArrays = Array.isArray(previous) && Array.isArray(next);
  if (!bothArrays && !(isPlainObject(previous) && isPlainObject(next))) return next;
  const prev = previous as Record<string, unknown>;
  const nxt = next as Record<string, unknown>;
  const prevKeys = Object.keys(prev);
  const nextKeys = Object.keys(nxt);
  const result = (bothArrays ? [] : {}) as Record<string, unknown>;
  let equalItems = 0;
  for (const key of nextKeys) {
    const shared = replaceEqualDeep(prev[key], nxt[key]);
    result[key] = shared;
    if (shared === prev[key] && Object.hasOwn(prev, key)) equalItems += 1;
  }
  return (
    prevKeys.length === nextKeys.length && equalItems === prevKeys.length ? previous : result
  ) as T;
}
