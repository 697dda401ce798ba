import { componentPathProblem } from '../capture/validate.js';
import { FactoredError } from '../errors.js';
import { getFactorDefinition, isFactorName } from '../factors/catalog.js';
import type { FactorName } from '../factors/types.js';
import { isUuid } from '../util/ids.js';
import type { GovernanceThreshold, ThresholdOperator, ThresholdScale } from './types.js';

const OPERATORS: readonly ThresholdOperator[] = ['gt', 'gte', 'lt', 'lte'];

function invalid(message: string, field: string): never {
  throw new FactoredError('invalid_input', `threshold.${field}: ${message}`, {
    details: { field },
  });
}

/**
 * Validates a threshold and returns it normalized (`scale` filled in, nothing else added).
 * Throws `invalid_input` naming the field when:
 * - `id` is not a UUID, `experimentId` neither `null` nor a UUID;
 * - `factor` is unknown or structural (no better direction);
 * - `path` is neither `null` nor a valid component path;
 * - `operator` disagrees with the factor's direction (`gt`/`gte` for higher-is-better,
 *   `lt`/`lte` for lower-is-better), or `value` points the wrong way (negative for
 *   higher-is-better, positive for lower-is-better) or is not finite;
 * - `scale` is neither `absolute` nor `relative`.
 *
 * Every store calls it in `upsertThreshold`, so thresholds mean the same everywhere.
 */
export function assertValidThreshold(threshold: unknown): GovernanceThreshold {
  if (typeof threshold !== 'object' || threshold === null) {
    throw new FactoredError('invalid_input', 'threshold must be an object.');
  }
  const t = threshold as Record<string, unknown>;
  if (!isUuid(t.id)) invalid('must be a UUID (for example from createRandomId()).', 'id');
  if (t.experimentId !== null && !isUuid(t.experimentId)) {
    invalid('must be an experiment id (a UUID), or null for a global threshold.', 'experimentId');
  }
  if (!isFactorName(t.factor)) invalid(`unknown factor ${JSON.stringify(t.factor)}.`, 'factor');
  const direction = getFactorDefinition(t.factor).direction;
  if (direction === null) {
    invalid(
      `${t.factor} is a structural factor with no better direction; it cannot be thresholded.`,
      'factor',
    );
  }
  if (t.path !== null) {
    const problem = componentPathProblem(t.path);
    if (problem) invalid(`${problem} (or null for the experiment's path).`, 'path');
  }
  if (!OPERATORS.includes(t.operator as ThresholdOperator)) {
    invalid(
      `must be one of ${OPERATORS.join(', ')}, got ${JSON.stringify(t.operator)}.`,
      'operator',
    );
  }
  const operator = t.operator as ThresholdOperator;
  if (typeof t.value !== 'number' || !Number.isFinite(t.value)) {
    invalid('must be a finite number.', 'value');
  }
  const value = t.value;
  if (direction === 'higher' && (operator === 'lt' || operator === 'lte' || value < 0)) {
    invalid(
      `${t.factor} is better when higher: use gt/gte with a value >= 0 (the minimum improvement).`,
      operator === 'lt' || operator === 'lte' ? 'operator' : 'value',
    );
  }
  if (direction === 'lower' && (operator === 'gt' || operator === 'gte' || value > 0)) {
    invalid(
      `${t.factor} is better when lower: use lt/lte with a value <= 0 (minus the minimum improvement).`,
      operator === 'gt' || operator === 'gte' ? 'operator' : 'value',
    );
  }
  const scale = t.scale === undefined ? 'absolute' : t.scale;
  if (scale !== 'absolute' && scale !== 'relative') {
    invalid(`must be 'absolute' or 'relative', got ${JSON.stringify(t.scale)}.`, 'scale');
  }
  return {
    id: t.id as string,
    experimentId: t.experimentId as string | null,
    factor: t.factor,
    path: t.path as string | null,
    operator,
    value,
    scale: scale as ThresholdScale,
  };
}

/**
 * True when a lift satisfies a threshold: `lift <operator> value`. `lift` is either the
 * number on the threshold's scale, or an estimate from which the lift of the threshold's
 * scale is taken (`effect` for `absolute`, `relativeLift` for `relative`). A missing lift
 * (`null`) never exceeds a threshold.
 */
export function isThresholdExceeded(
  lift: number | null | { effect: number | null; relativeLift: number | null },
  threshold: Pick<GovernanceThreshold, 'operator' | 'value' | 'scale'>,
): boolean {
  const value =
    lift === null || typeof lift === 'number'
      ? lift
      : threshold.scale === 'relative'
        ? lift.relativeLift
        : lift.effect;
  if (value === null || !Number.isFinite(value)) return false;
  switch (threshold.operator) {
    case 'gt':
      return value > threshold.value;
    case 'gte':
      return value >= threshold.value;
    case 'lt':
      return value < threshold.value;
    case 'lte':
      return value <= threshold.value;
  }
}

/**
 * The thresholds that apply to an experiment: for each (factor, path) the experiment's own
 * threshold wins over a global one (`experimentId: null`); among several of the same kind
 * the one with the smallest id wins, so the choice is deterministic. `path: null` is
 * resolved to the experiment's path first, so a global threshold on the experiment's own path
 * and one with `path: null` are the same (factor, path). Sorted by factor (catalog order is
 * not needed for correctness; name order is stable), then path.
 */
export function resolveThresholds(
  thresholds: readonly GovernanceThreshold[],
  experiment: { id: string; path: string },
): (GovernanceThreshold & { path: string; scale: ThresholdScale })[] {
  const chosen = new Map<string, GovernanceThreshold & { path: string; scale: ThresholdScale }>();
  const rank = (t: GovernanceThreshold) => (t.experimentId === experiment.id ? 0 : 1);
  for (const t of thresholds) {
    if (t.experimentId !== null && t.experimentId !== experiment.id) continue;
    const path = t.path ?? experiment.path;
    const candidate = { ...t, path, scale: t.scale ?? 'absolute' };
    const key = `${t.factor}\u0000${path}`;
    const current = chosen.get(key);
    if (
      !current ||
      rank(candidate) < rank(current) ||
      (rank(candidate) === rank(current) && candidate.id < current.id)
    ) {
      chosen.set(key, candidate);
    }
  }
  return [...chosen.values()].sort((a, b) =>
    a.factor !== b.factor
      ? a.factor < b.factor
        ? -1
        : 1
      : a.path < b.path
        ? -1
        : a.path > b.path
          ? 1
          : 0,
  );
}

/** The better direction of a thresholdable factor; `invalid_input` for a structural one. */
export function factorBetterDirection(factor: FactorName): 'higher' | 'lower' {
  const direction = getFactorDefinition(factor).direction;
  if (direction === null) {
    throw new FactoredError(
      'invalid_input',
      `${factor} is a structural factor with no better direction; governance cannot analyze it.`,
    );
  }
  return direction;
}
