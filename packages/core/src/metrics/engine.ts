import { readCustomEvent } from '../capture/custom.js';
import type { FactoredEvent } from '../capture/types.js';
import { isEventType } from '../capture/validate.js';
import type { Assignment, Exposure } from '../experiments/types.js';
import { type TimeInput, toEpochMs } from '../util/time.js';
import type { MetricComponent, MetricVariantStatistics } from './types.js';
import type { NormalizedMetricDefinition } from './validate.js';

/** Per-variant statistics of a variant with no users: every count and sum 0. */
export const emptyMetricStatistics = (variantKey: string): MetricVariantStatistics => ({
  variantKey,
  assigned: 0,
  n: 0,
  sumY: 0,
  sumY2: 0,
  sumD: 0,
  sumD2: 0,
  sumYD: 0,
});

type Filter = { event: string; path: string | null };

/** Whether `event` is an occurrence of the filter's event on its path (or below it). */
export function matchesMetricEvent(event: FactoredEvent, filter: Filter): boolean {
  if (
    filter.path !== null &&
    event.path !== filter.path &&
    !event.path.startsWith(`${filter.path}/`)
  )
    return false;
  if (isEventType(filter.event)) return event.type === filter.event && event.type !== 'custom';
  return readCustomEvent(event)?.name === filter.event;
}

function propertyValue(event: FactoredEvent, property: string): number | null {
  const value = readCustomEvent(event)?.properties[property];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A per-user count or sum over the user's events in the window. */
function componentValue(
  events: readonly FactoredEvent[],
  component: Filter & { kind: 'count' | 'sum'; property: string | null },
): number {
  let total = 0;
  for (const event of events) {
    if (!matchesMetricEvent(event, component)) continue;
    if (component.kind === 'count') total += 1;
    else total += propertyValue(event, component.property as string) ?? 0;
  }
  return total;
}

/**
 * One user's metric value from their events inside the window: `y` (for `ratio`/`mean` the
 * numerator, capped at `cap`) and `d` (the denominator; 1 for the other kinds).
 */
export function metricUserValue(
  metric: NormalizedMetricDefinition,
  events: readonly FactoredEvent[],
): { y: number; d: number } {
  const cap = (y: number) => (metric.cap !== null && y > metric.cap ? metric.cap : y);
  const filter = { event: metric.event as string, path: metric.path };
  switch (metric.kind) {
    case 'conversion':
      return { y: events.some((e) => matchesMetricEvent(e, filter)) ? 1 : 0, d: 1 };
    case 'count':
      return { y: cap(componentValue(events, { ...filter, kind: 'count', property: null })), d: 1 };
    case 'sum':
      return {
        y: cap(componentValue(events, { ...filter, kind: 'sum', property: metric.property })),
        d: 1,
      };
    case 'mean': {
      let y = 0;
      let d = 0;
      for (const event of events) {
        if (!matchesMetricEvent(event, filter)) continue;
        const value = propertyValue(event, metric.property as string);
        if (value === null) continue;
        y += value;
        d += 1;
      }
      return { y: cap(y), d };
    }
    case 'ratio': {
      const side = (c: MetricComponent) => ({
        event: c.event,
        path: c.path ?? null,
        kind: c.kind,
        property: c.property ?? null,
      });
      return {
        y: cap(componentValue(events, side(metric.numerator as MetricComponent))),
        d: componentValue(events, side(metric.denominator as MetricComponent)),
      };
    }
  }
}

/** What {@link computeMetricStatistics} reads: one experiment's rows and the users' events. */
export interface MetricEngineInput {
  metric: NormalizedMetricDefinition;
  /** The experiment's variant keys, in definition order. */
  variantKeys: readonly string[];
  /** The experiment's assignments. */
  assignments: readonly Assignment[];
  /** The experiment's exposures. */
  exposures: readonly Exposure[];
  /** Events of the assigned users (others are ignored). */
  events: Iterable<FactoredEvent>;
  /** Evaluation time: nothing after it is seen. */
  at: TimeInput;
}

/**
 * The reference engine of metrics (DESIGN §18): per-variant sufficient statistics of one
 * metric of one experiment at `at`. Exact semantics, which every store reproduces:
 *
 * - population: users assigned at or before `at` (`assigned`) and, of those, users whose
 *   first exposure (earliest `exposedAt`) is at or before `at` (`n`);
 * - a user's events: `start <= createdAt <= at`, and `createdAt < start + windowMs` when the
 *   metric has a window, where `start` is the first exposure;
 * - `y`, `d` per user by {@link metricUserValue}; sums in IEEE double, one row per variant in
 *   definition order (all zeros for a variant with nobody).
 */
export function computeMetricStatistics(input: MetricEngineInput): MetricVariantStatistics[] {
  const at = toEpochMs(input.at, 'at');
  const rows = new Map(input.variantKeys.map((k) => [k, emptyMetricStatistics(k)]));
  const users = new Map<string, { variantKey: string; start: number | null }>();
  for (const a of input.assignments) {
    if (toEpochMs(a.assignedAt, 'assignedAt') > at) continue;
    users.set(a.userId, { variantKey: a.variantKey, start: null });
  }
  for (const x of input.exposures) {
    const user = users.get(x.userId);
    const exposedAt = toEpochMs(x.exposedAt, 'exposedAt');
    if (!user || exposedAt > at) continue;
    if (user.start === null || exposedAt < user.start) user.start = exposedAt;
  }
  const eventsByUser = new Map<string, FactoredEvent[]>();
  for (const event of input.events) {
    const user = users.get(event.userId);
    if (!user || user.start === null) continue;
    const t = toEpochMs(event.createdAt, 'createdAt');
    if (t < user.start || t > at) continue;
    if (input.metric.windowMs !== null && t >= user.start + input.metric.windowMs) continue;
    const list = eventsByUser.get(event.userId);
    if (list) list.push(event);
    else eventsByUser.set(event.userId, [event]);
  }
  for (const [userId, user] of users) {
    const row = rows.get(user.variantKey);
    if (!row) continue;
    row.assigned += 1;
    if (user.start === null) continue;
    const { y, d } = metricUserValue(input.metric, eventsByUser.get(userId) ?? []);
    row.n += 1;
    row.sumY += y;
    row.sumY2 += y * y;
    row.sumD += d;
    row.sumD2 += d * d;
    row.sumYD += y * d;
  }
  return [...rows.values()];
}
