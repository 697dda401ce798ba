/** A JSON value: what can be stored in an event payload or a spec. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/**
 * True when `value` is plain JSON: finite numbers, strings, booleans, null, arrays and plain
 * objects, with no cycles. Used to reject payloads that would not survive a round trip.
 */
export function isJsonValue(value: unknown, seen: Set<object> = new Set()): value is JsonValue {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (seen.has(value)) return false;
      seen.add(value);
      let ok: boolean;
      if (Array.isArray(value)) ok = value.every((item) => isJsonValue(item, seen));
      else {
        const proto = Object.getPrototypeOf(value);
        ok =
          (proto === Object.prototype || proto === null) &&
          Object.values(value).every((item) => isJsonValue(item, seen));
      }
      seen.delete(value);
      return ok;
    }
    default:
      return false;
  }
}
