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
 * Throws when `value` lacks one of `methods`, naming every missing one: `legacy_call` for a
 * 0.5.1 implementation (it has `getCurrentUserId` or `loadSessionId`), else `invalid_input`.
 */
export function requireMethods(value: unknown, what: string, methods: readonly string[]): void {
  const v = (value ?? {}) as Record<string, unknown>;
  const missing = methods.filter((m) => typeof v[m] !== 'function');
  if (missing.length === 0) return;
  const message = `${what} does not implement ${missing.join(', ')}`;
  throw v.getCurrentUserId || v.loadSessionId
    ? new FactoredError(
        'legacy_call',
        `${message} (it looks like a FactoredUI 0.5.1 implementation; MIGRATING.md)`,
      )
    : new FactoredError('invalid_input', message);
}
