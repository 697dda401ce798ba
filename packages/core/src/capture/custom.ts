import { FactoredError } from '../errors.js';
import { LIMITS } from '../limits.js';
import { EVENT_TYPES, type FactoredEvent } from './types.js';

/**
 * Numeric properties of a custom event (`track('purchase', { revenue: 42.5, items: 3 })`):
 * at most `LIMITS.eventProperties` of them, names like event names, values finite numbers.
 * Metrics sum, average and winsorize them (see `MetricDefinition`).
 */
export type EventProperties = Readonly<Record<string, number>>;

/**
 * The payload a custom event is stored with: an event of type `custom` whose payload has a
 * `name` (and optionally `properties`). Every store validates it on insert.
 */
export interface CustomEventPayload {
  name: string;
  properties: EventProperties;
}

/**
 * The path of a custom event tracked before any navigation and without an explicit path.
 * Metrics without a path count events on every path, so such events still count.
 */
export const DEFAULT_TRACK_PATH = 'app';

/** Custom event and property names: a letter or digit, then letters, digits, `_ . : -`. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
const BUILT_IN: ReadonlySet<string> = new Set(EVENT_TYPES);

/**
 * Why `name` cannot name a custom event, or `null`: 1 to `LIMITS.eventNameChars` characters
 * matching `[A-Za-z0-9][A-Za-z0-9_.:-]*`, and not a built-in event type (a metric's `event`
 * names either, so the two may never collide).
 */
export function eventNameProblem(name: unknown, field = 'event name'): string | null {
  if (typeof name !== 'string' || name.length === 0)
    return `${field} must be a non-empty string, got ${JSON.stringify(name) ?? String(name)}`;
  if (name.length > LIMITS.eventNameChars)
    return `${field} is ${name.length} characters long; the limit is ${LIMITS.eventNameChars} (LIMITS.eventNameChars)`;
  if (!NAME.test(name))
    return `${field} ${JSON.stringify(name)} may use only letters, digits and _ . : - (starting with a letter or digit)`;
  if (field === 'event name' && BUILT_IN.has(name))
    return `event name ${JSON.stringify(name)} is a built-in event type; choose another name`;
  return null;
}

/**
 * Why `properties` are not valid custom event properties, or `null`: a plain object of at most
 * `LIMITS.eventProperties` finite numbers whose keys follow the event-name rule.
 */
export function eventPropertiesProblem(properties: unknown): string | null {
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties))
    return 'properties must be an object of numbers';
  const proto = Object.getPrototypeOf(properties);
  if (proto !== Object.prototype && proto !== null) return 'properties must be a plain object';
  const entries = Object.entries(properties);
  if (entries.length > LIMITS.eventProperties)
    return `an event has ${entries.length} properties; the limit is ${LIMITS.eventProperties} (LIMITS.eventProperties)`;
  for (const [key, value] of entries) {
    const problem = eventNameProblem(key, 'property name');
    if (problem) return problem;
    if (typeof value !== 'number' || !Number.isFinite(value))
      return `property ${key} must be a finite number, got ${JSON.stringify(value) ?? String(value)}`;
  }
  return null;
}

/**
 * Why the payload of a `custom` event is not a valid custom event, or `null`. A custom payload
 * without `name` and `properties` is an unnamed custom event (accepted, counted by no metric);
 * with either, `name` must be a valid event name and `properties`, when present, valid
 * properties.
 */
export function customPayloadProblem(payload: Readonly<Record<string, unknown>>): string | null {
  if (!('name' in payload) && !('properties' in payload)) return null;
  const nameProblem = eventNameProblem(payload.name);
  if (nameProblem) return nameProblem;
  return 'properties' in payload ? eventPropertiesProblem(payload.properties) : null;
}

/**
 * The payload of `track(name, properties)`, validated: throws `invalid_input` (with
 * `details.field` `name` or `properties`) naming the problem.
 */
export function customEventPayload(name: string, properties: unknown = {}): CustomEventPayload {
  const nameProblem = eventNameProblem(name);
  if (nameProblem)
    throw new FactoredError('invalid_input', `track: ${nameProblem}.`, {
      details: { field: 'name' },
    });
  const problem = eventPropertiesProblem(properties);
  if (problem)
    throw new FactoredError('invalid_input', `track(${JSON.stringify(name)}): ${problem}.`, {
      details: { field: 'properties' },
    });
  return { name, properties: { ...(properties as EventProperties) } };
}

/** The name and properties of a named custom event, or `null` for any other event. */
export function readCustomEvent(
  event: Pick<FactoredEvent, 'type' | 'payload'>,
): CustomEventPayload | null {
  if (event.type !== 'custom') return null;
  const { name, properties } = event.payload as { name?: unknown; properties?: unknown };
  if (typeof name !== 'string') return null;
  const props =
    typeof properties === 'object' && properties !== null && !Array.isArray(properties)
      ? (properties as EventProperties)
      : {};
  return { name, properties: props };
}
