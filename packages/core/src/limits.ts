import { FactoredError } from './errors.js';

/**
 * The one set of input limits. Core validators enforce them before anything is stored, and the
 * SQL store enforces the same numbers again in the database (migration
 * `20261127000200_factoredui_limits.sql`; a test asserts the SQL constants equal these), so a
 * client that skips core is refused too. Every violation is `invalid_input` naming the field,
 * the limit and the size.
 *
 * Sizes of JSON values are **bytes of UTF-8 JSON text as PostgreSQL writes it**
 * (`jsonb::text`: a space after every `:` and `,`, numbers written out in full), so core and
 * the database measure exactly the same number. Lengths of strings are in characters (UTF-16
 * code units in core; the SQL check counts code points, which is never more).
 */
export const LIMITS = Object.freeze({
  /** Deepest nesting of objects and arrays in any stored JSON (`{}` is 1, `{"a":[]}` is 2). */
  jsonDepth: 64,
  /** Largest event payload, bytes of JSON. */
  eventPayloadBytes: 65_536,
  /** Largest session metadata, bytes of JSON. */
  sessionMetadataBytes: 16_384,
  /** Longest string value at the top level of session metadata (user agent, versions...). */
  metadataValueChars: 1_024,
  /** Largest SDUI spec (the `spec` of an envelope), bytes of JSON. */
  specBytes: 262_144,
  /** Longest component path. */
  pathChars: 512,
  /** Longest user id. */
  userIdChars: 256,
  /** Longest spec name. */
  specNameChars: 128,
  /** Longest platform name. */
  platformChars: 32,
  /** Longest signing key id. */
  keyIdChars: 128,
  /** Highest spec version (PostgreSQL `integer`). Versions are integers from 1 to this. */
  specVersionMax: 2_147_483_647,
  /**
   * Most events in one `insertEvents` call. The capture writer never sends more: its
   * `batchSize` (default 50) is at most this, and its page-hide write too.
   */
  eventsPerBatch: 1_000,
  /** Longest experiment name, variant key or bucketing seed. */
  experimentNameChars: 200,
  /** Longest experiment description. */
  experimentDescriptionChars: 4_096,
  /** Most variants of one experiment. */
  experimentVariants: 32,
  /** Most targeting rules of one experiment. */
  experimentTargetingRules: 64,
  /** Most platform names of one experiment. */
  experimentPlatforms: 16,
  /** Largest variant `config` (and a targeting rule), bytes of JSON. */
  variantConfigBytes: 16_384,
  /** Largest governance log entry, bytes of JSON. */
  governanceLogEntryBytes: 262_144,
  /** Longest custom event name (`track(name, …)`) and longest property name. */
  eventNameChars: 64,
  /** Most numeric properties of one custom event. */
  eventProperties: 32,
});

/** The names of {@link LIMITS}. */
export type LimitName = keyof typeof LIMITS;

/** The size of a JSON value, as {@link measureJson} reports it. */
export interface JsonMeasure {
  /** Bytes of its JSON text as PostgreSQL writes it (see {@link LIMITS}). */
  bytes: number;
  /** Deepest nesting of objects and arrays; 0 for a scalar. */
  depth: number;
}

const utf8 = new TextEncoder();
// A U+0000 (PostgreSQL cannot store it in text) or a lone surrogate (not valid UTF-8).
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting NUL is the point
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_TEXT = 'contains U+0000 or an unpaired surrogate';

// Printable ASCII without `"` and `\`: JSON writes it as is, one byte per character.
const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** Bytes of a JSON string literal (escapes included), or `null` when it cannot be stored. */
function stringBytes(value: string): number | null {
  // The common case without encoding a copy (most of the cost of measuring a spec).
  if (PLAIN_ASCII.test(value)) return value.length + 2;
  if (UNSTORABLE.test(value)) return null;
  // JSON.stringify escapes exactly what PostgreSQL's JSON output escapes.
  return utf8.encode(JSON.stringify(value)).length;
}

/** Bytes of a finite number written out in full (no exponent), as PostgreSQL's numeric does. */
function numberBytes(value: number): number {
  const text = String(value === 0 ? 0 : value);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text.length;
  const [, sign = '', , fraction = '', exponentText = '0'] = match;
  const digits = 1 + fraction.length;
  const exponent = Number(exponentText);
  // 1.5e21 -> 15 followed by zeros; 1.5e-7 -> 0.00000015.
  const written = exponent >= 0 ? Math.max(exponent + 1, digits) : 1 + -exponent + digits;
  return sign.length + written;
}

/**
 * Measures a JSON value without recursion (so a value nested 10,000 deep is measured, not a
 * stack overflow): its bytes and depth, or why it is not storable JSON (a non-finite number,
 * `undefined`, a function, a class instance, a cycle, U+0000 or a lone surrogate in a string).
 */
export function measureJson(value: unknown): JsonMeasure | { problem: string } {
  let bytes = 0;
  let depth = 0;
  // Ancestors only, so a value shared by two branches is fine and a cycle is not.
  const open = new Set<object>();
  type Frame = { value: unknown; level: number } | { close: object };
  const stack: Frame[] = [{ value, level: 0 }];
  while (stack.length > 0) {
    const frame = stack.pop() as Frame;
    if ('close' in frame) {
      open.delete(frame.close);
      continue;
    }
    const item = frame.value;
    if (item === null) {
      bytes += 4;
      continue;
    }
    switch (typeof item) {
      case 'boolean':
        bytes += item ? 4 : 5;
        continue;
      case 'number':
        if (!Number.isFinite(item)) return { problem: 'contains a non-finite number' };
        bytes += numberBytes(item);
        continue;
      case 'string': {
        const size = stringBytes(item);
        if (size === null) return { problem: UNSTORABLE_TEXT };
        bytes += size;
        continue;
      }
      case 'object':
        break;
      default:
        return { problem: `contains a ${typeof item}` };
    }
    const container = item as object;
    if (open.has(container)) return { problem: 'contains a cycle' };
    const level = frame.level + 1;
    if (level > depth) depth = level;
    open.add(container);
    stack.push({ close: container });
    if (Array.isArray(container)) {
      // "[" + "]" and ", " between elements.
      bytes += 2 + Math.max(0, container.length - 1) * 2;
      for (let i = container.length - 1; i >= 0; i -= 1) stack.push({ value: container[i], level });
      continue;
    }
    const proto = Object.getPrototypeOf(container);
    if (proto !== Object.prototype && proto !== null)
      return { problem: 'contains a class instance' };
    const entries = Object.entries(container);
    // "{" + "}", ", " between members and ": " after each key.
    bytes += 2 + Math.max(0, entries.length - 1) * 2 + entries.length * 2;
    for (let i = entries.length - 1; i >= 0; i -= 1) {
      const [key, member] = entries[i] as [string, unknown];
      const size = stringBytes(key);
      if (size === null) return { problem: UNSTORABLE_TEXT };
      bytes += size;
      stack.push({ value: member, level });
    }
  }
  return { bytes, depth };
}

/**
 * Why `value` (named `field` in the message) breaks the JSON limits, or `null`: not storable
 * JSON, nested deeper than `LIMITS.jsonDepth`, or larger than `LIMITS[bytesLimit]` bytes.
 */
export function jsonLimitProblem(
  value: unknown,
  field: string,
  bytesLimit:
    | 'eventPayloadBytes'
    | 'sessionMetadataBytes'
    | 'specBytes'
    | 'variantConfigBytes'
    | 'governanceLogEntryBytes',
): string | null {
  const measure = measureJson(value);
  if ('problem' in measure) return `${field} must be plain JSON: it ${measure.problem}`;
  if (measure.depth > LIMITS.jsonDepth)
    return `${field} is nested ${measure.depth} levels deep; the limit is ${LIMITS.jsonDepth} (LIMITS.jsonDepth)`;
  const maxBytes = LIMITS[bytesLimit];
  if (measure.bytes > maxBytes)
    return `${field} is ${measure.bytes} bytes of JSON; the limit is ${maxBytes} bytes (LIMITS.${bytesLimit})`;
  return null;
}

/** Why the string `value` (named `field`) is longer than `max` characters, or `null`. */
export function stringLimitProblem(value: string, field: string, max: number): string | null {
  return value.length > max
    ? `${field} is ${value.length} characters long; the limit is ${max}`
    : null;
}

/** Throws `invalid_input` (with `details.field`) when `problem` is not `null`. */
export function assertWithinLimit(problem: string | null, field: string): void {
  if (problem) throw new FactoredError('invalid_input', `${problem}.`, { details: { field } });
}
