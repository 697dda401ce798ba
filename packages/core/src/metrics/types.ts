import type { ComponentPath } from '../capture/types.js';

/**
 * What a metric measures per user (DESIGN §18), over the user's events in the window after
 * their first exposure:
 *
 * - `conversion`: 1 when the user did `event` (on `path`) at least once, else 0;
 * - `count`: how many times;
 * - `sum`: the sum of the numeric `property` of those events (e.g. revenue per user);
 * - `mean`: the mean of `property` per event (e.g. order value), a ratio of the per-user sum
 *   to the per-user count of events that carry it, analysed with the delta method;
 * - `ratio`: `numerator` over `denominator`, each a count or sum (e.g. revenue per session
 *   start), analysed with the delta method.
 */
export type MetricKind = 'conversion' | 'count' | 'sum' | 'mean' | 'ratio';

/** Which way is better for a metric. */
export type MetricDirection = 'higher' | 'lower';

/**
 * Which events count: a custom event named `event` (`track(event, …)`), or a built-in event
 * of type `event` (`submit`, `click`…; custom event names can never be built-in types), on
 * `path` or below it (`shop/checkout` matches `shop/checkout/pay`); any path when `null`.
 */
export interface MetricEventFilter {
  event: string;
  path?: ComponentPath | null;
}

/** One side of a ratio: a per-user count of events, or a per-user sum of a property. */
export interface MetricComponent extends MetricEventFilter {
  kind: 'count' | 'sum';
  /** The summed property (`sum` only). */
  property?: string | null;
}

/**
 * A metric as data (stored, versioned; service writes, every role reads). `event`, `path` and
 * `property` apply to every kind but `ratio`, which takes `numerator` and `denominator`.
 */
export interface MetricDefinition {
  /** Unique name: 1–64 characters of lowercase letters, digits and `_ . -`. */
  name: string;
  description?: string;
  kind: MetricKind;
  /** Which way is better. */
  direction: MetricDirection;
  /** The counted event (all kinds but `ratio`). */
  event?: string | null;
  /** Only events on this path or below it (all kinds but `ratio`). */
  path?: ComponentPath | null;
  /** The numeric property (`sum`, `mean`). */
  property?: string | null;
  /** `ratio` only. */
  numerator?: MetricComponent | null;
  /** `ratio` only. */
  denominator?: MetricComponent | null;
  /**
   * Events count from the user's first exposure up to this many milliseconds after it (and
   * never after the evaluation time); `null`: up to the evaluation time.
   */
  windowMs?: number | null;
  /**
   * Winsorization: a per-user value (for `ratio`/`mean` the per-user numerator) above `cap` is
   * counted as `cap`, so one whale cannot swamp an experiment. `null`: no cap.
   */
  cap?: number | null;
}

/** A stored version of a metric: the definition with every optional field filled in. */
export interface StoredMetric extends Required<MetricDefinition> {
  /** 1 for the first definition of a name, then +1 for each changed definition. */
  version: number;
  /** When this version was stored (ISO 8601). */
  createdAt: string;
}

/**
 * Per-variant sufficient statistics of one metric of one experiment at one time. For every
 * user assigned to the variant and first exposed at or before the evaluation time, `y` is the
 * per-user value (for `ratio`/`mean`, the numerator) and `d` the per-user denominator (1 for
 * the other kinds, so `Σy / Σd` is the plain mean). The delta method needs nothing else.
 */
export interface MetricVariantStatistics {
  variantKey: string;
  /** Users assigned at or before the evaluation time (the SRM counts). */
  assigned: number;
  /** Of those, users first exposed at or before the evaluation time (the analysed users). */
  n: number;
  sumY: number;
  sumY2: number;
  sumD: number;
  sumD2: number;
  sumYD: number;
}
