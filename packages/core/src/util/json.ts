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

/** Strings JSON writes as-is between quotes: no quote, backslash, control or surrogate unit. */
const PLAIN_STRING = /^[\x20\x21\x23-\x5b\x5d-\ud7ff\ue000-\uffff]*$/;

const quote = (text: string): string =>
  PLAIN_STRING.test(text) ? `"${text}"` : JSON.stringify(text);

/**
 * The RFC 8785 (JCS) serialization of a value already known to be plain JSON (see
 * {@link isJsonValue}): object keys sorted by UTF-16 code units (the default `sort` order), no
 * whitespace, strings and numbers exactly as `JSON.stringify` writes them (ECMAScript number
 * formatting, `-0` as `0`, lone surrogates escaped). Plain strings skip `JSON.stringify` and
 * one-key objects skip the sort, which makes it about twice as fast as a general
 * implementation on specs; the RFC 8785 test vectors check it.
 */
export function canonicalizeJson(value: JsonValue): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number') return JSON.stringify(value);
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += canonicalizeJson(value[i] as JsonValue);
    }
    return `${out}]`;
  }
  const keys = Object.keys(value);
  if (keys.length > 1) keys.sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (i > 0) out += ',';
    out += quote(key);
    out += ':';
    out += canonicalizeJson(value[key] as JsonValue);
  }
  return `${out}}`;
}
