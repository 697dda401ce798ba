import { eventNameProblem } from '../capture/custom.js';
import { componentPathProblem } from '../capture/validate.js';
import { FactoredError } from '../errors.js';
import type {
  MetricComponent,
  MetricDefinition,
  MetricDirection,
  MetricKind,
  StoredMetric,
} from './types.js';

/** Every {@link MetricKind}. */
export const METRIC_KINDS: readonly MetricKind[] = ['conversion', 'count', 'sum', 'mean', 'ratio'];
const DIRECTIONS: readonly MetricDirection[] = ['higher', 'lower'];
const METRIC_NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
/** Longest metric description, in characters. */
export const MAX_METRIC_DESCRIPTION_CHARS = 1024;

/** A metric definition with every optional field filled in (what stores keep). */
export type NormalizedMetricDefinition = Omit<StoredMetric, 'version' | 'createdAt'>;

const fail = (field: string, message: string): never => {
  throw new FactoredError('invalid_input', `metric ${field}: ${message}.`, { details: { field } });
};

function filterOf(
  value: { event?: unknown; path?: unknown },
  field: string,
): { event: string; path: string | null } {
  const eventProblem = eventNameProblem(value.event, 'event');
  if (eventProblem) fail(`${field}event`, eventProblem);
  const path = value.path ?? null;
  if (path !== null) {
    const problem = componentPathProblem(path);
    if (problem) fail(`${field}path`, problem);
  }
  return { event: value.event as string, path: path as string | null };
}

function propertyOf(value: unknown, field: string, required: boolean): string | null {
  if (value === undefined || value === null) {
    if (required) fail(field, 'a sum or mean needs the numeric property to add up');
    return null;
  }
  if (!required) fail(field, 'only sum and mean metrics take a property');
  const problem = eventNameProblem(value, 'property');
  if (problem) fail(field, problem);
  return value as string;
}

function componentOf(value: unknown, field: string): MetricComponent & { path: string | null } {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return fail(field, 'a ratio needs a numerator and a denominator, each { kind, event, … }');
  const c = value as Record<string, unknown>;
  if (c.kind !== 'count' && c.kind !== 'sum')
    fail(`${field}.kind`, `must be count or sum, got ${JSON.stringify(c.kind)}`);
  const kind = c.kind as 'count' | 'sum';
  return {
    kind,
    ...filterOf(c, `${field}.`),
    property: propertyOf(c.property, `${field}.property`, kind === 'sum'),
  };
}

/**
 * Validates a metric definition and fills in its optional fields (`null`s, empty
 * description). Throws `invalid_input` with `details.field` naming the first bad field and
 * saying what is expected.
 */
export function normalizeMetricDefinition(definition: unknown): NormalizedMetricDefinition {
  if (typeof definition !== 'object' || definition === null || Array.isArray(definition))
    return fail('definition', 'must be an object');
  const d = definition as Record<keyof MetricDefinition, unknown>;
  if (typeof d.name !== 'string' || !METRIC_NAME.test(d.name))
    fail(
      'name',
      `must be 1-64 characters of lowercase letters, digits and _ . - (starting with a letter or digit), got ${JSON.stringify(d.name)}`,
    );
  const description = d.description ?? '';
  if (typeof description !== 'string' || description.length > MAX_METRIC_DESCRIPTION_CHARS)
    fail('description', `must be a string of at most ${MAX_METRIC_DESCRIPTION_CHARS} characters`);
  if (!METRIC_KINDS.includes(d.kind as MetricKind))
    fail('kind', `must be one of ${METRIC_KINDS.join(', ')}, got ${JSON.stringify(d.kind)}`);
  const kind = d.kind as MetricKind;
  if (!DIRECTIONS.includes(d.direction as MetricDirection))
    fail('direction', `must be higher or lower, got ${JSON.stringify(d.direction)}`);
  const windowMs = d.windowMs ?? null;
  if (
    windowMs !== null &&
    (typeof windowMs !== 'number' || !Number.isSafeInteger(windowMs) || windowMs <= 0)
  )
    fail('windowMs', `must be a positive whole number of milliseconds or null, got ${windowMs}`);
  const cap = d.cap ?? null;
  if (cap !== null && (typeof cap !== 'number' || !Number.isFinite(cap) || cap <= 0))
    fail('cap', `must be a positive finite number or null, got ${JSON.stringify(cap)}`);
  if (cap !== null && kind === 'conversion')
    fail('cap', 'a conversion is 0 or 1 per user; it cannot be capped');
  const common = {
    name: d.name as string,
    description: description as string,
    kind,
    direction: d.direction as MetricDirection,
    windowMs: windowMs as number | null,
    cap: cap as number | null,
  };
  if (kind === 'ratio') {
    for (const field of ['event', 'path', 'property'] as const)
      if (d[field] !== undefined && d[field] !== null)
        fail(field, 'a ratio takes its events from numerator and denominator');
    return {
      ...common,
      event: null,
      path: null,
      property: null,
      numerator: componentOf(d.numerator, 'numerator'),
      denominator: componentOf(d.denominator, 'denominator'),
    };
  }
  for (const field of ['numerator', 'denominator'] as const)
    if (d[field] !== undefined && d[field] !== null) fail(field, 'only a ratio takes one');
  return {
    ...common,
    ...filterOf(d, ''),
    property: propertyOf(d.property, 'property', kind === 'sum' || kind === 'mean'),
    numerator: null,
    denominator: null,
  };
}

/** True when two definitions are the same metric (after normalization). */
export function sameMetricDefinition(a: MetricDefinition, b: MetricDefinition): boolean {
  const canonical = (m: MetricDefinition): string => {
    const n = normalizeMetricDefinition(m);
    const side = (c: MetricComponent | null) =>
      c ? [c.kind, c.event, c.path ?? null, c.property ?? null] : null;
    return JSON.stringify([
      n.name,
      n.description,
      n.kind,
      n.direction,
      n.event,
      n.path,
      n.property,
      side(n.numerator),
      side(n.denominator),
      n.windowMs,
      n.cap,
    ]);
  };
  return canonical(a) === canonical(b);
}
