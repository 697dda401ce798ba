import { FactoredError } from '../errors.js';

/**
 * Throws the `legacy_call` error of a FactoredUI 0.5.1 call shape that cannot keep working:
 * the message names the old form, the current one and what to read.
 */
export function legacyCall(oldForm: string, newForm: string): never {
  throw legacyError(oldForm, newForm);
}

/** The error {@link legacyCall} throws, for callers that reject a promise instead. */
export function legacyError(oldForm: string, newForm: string): FactoredError {
  return new FactoredError(
    'legacy_call',
    `${oldForm} is the FactoredUI 0.5.1 form; use ${newForm} (MIGRATING.md lists every change).`,
    { details: { oldForm, newForm } },
  );
}

const warned = new Set<string>();

/**
 * Warns once per process (console.warn) that a deprecated 0.5.1 name was used. Each message
 * is printed the first time only.
 */
export function warnLegacyOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  console.warn(`factoredui: ${message} (deprecated since 0.6; removed in the next minor).`);
}

/**
 * Adds the 0.5.1 field names of a returned object as deprecated aliases of the current ones:
 * non-enumerable getters (so JSON, spreading and equality see only the current fields) that
 * warn once per name and read the current field. `aliases` maps the old name to the new one.
 */
export function withLegacyAliases<T extends object>(
  target: T,
  owner: string,
  aliases: Readonly<Record<string, string>>,
): T {
  if (!Object.isExtensible(target)) return target;
  for (const [oldName, newName] of Object.entries(aliases)) {
    if (Object.hasOwn(target, oldName)) continue;
    Object.defineProperty(target, oldName, {
      configurable: true,
      enumerable: false,
      get(this: Record<string, unknown>) {
        warnLegacyOnce(
          `${owner}.${oldName}`,
          `${owner}: .${oldName} is the 0.5.1 name; read .${newName}`,
        );
        return this[newName];
      },
    });
  }
  return target;
}

/** {@link withLegacyAliases} on every element of `rows` (returned for chaining). */
export function withLegacyRowAliases<T extends object>(
  rows: T[],
  owner: string,
  aliases: Readonly<Record<string, string>>,
): T[] {
  for (const row of rows) withLegacyAliases(row, owner, aliases);
  return rows;
}

/**
 * Checks at construction that `value` implements `methods` (a FactoredStore, a
 * CaptureAdapter...), so a 0.5.1 implementation fails at once with the list of what to add
 * instead of later with "x is not a function".
 */
export function assertImplements(
  value: unknown,
  what: string,
  methods: readonly string[],
  where: string,
): void {
  if (typeof value !== 'object' || value === null) {
    throw new FactoredError(
      'invalid_input',
      `${where}: ${what} must be an object, got ${value === null ? 'null' : typeof value}.`,
    );
  }
  const record = value as Record<string, unknown>;
  const missing = methods.filter((m) => typeof record[m] !== 'function');
  if (missing.length === 0) return;
  const looks051 = [
    'getCurrentUserId',
    'getRunningExperiment',
    'loadSessionId',
    'persistQueue',
  ].some((m) => typeof record[m] === 'function');
  throw new FactoredError(
    looks051 ? 'legacy_call' : 'invalid_input',
    `${where}: this ${what} does not implement ${missing.join(', ')}${
      looks051 ? ' (it looks like a FactoredUI 0.5.1 implementation)' : ''
    }; implement them (see the ${what} interface and MIGRATING.md), or use a shipped one.`,
    { details: { missing } },
  );
}

/** True for a store passed where an options object is expected (the 0.5.1 positional forms). */
export function looksLikeStore(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return ['insertEvents', 'startSession', 'getIdentity', 'getCurrentUserId'].some(
    (m) => typeof record[m] === 'function',
  );
}
