import { FactoredError } from '../errors.js';
import { jsonLimitProblem } from '../limits.js';
import { isUuid } from '../util/ids.js';
import { isJsonValue } from '../util/json.js';
import type { GovernanceLogEntry, GovernanceVerdict } from './types.js';

const VERDICTS: readonly GovernanceVerdict[] = ['conclude', 'continue', 'flag_review'];

function invalid(field: string, message: string): never {
  throw new FactoredError('invalid_input', `governance log entry ${field}: ${message}`, {
    details: { field },
  });
}

const OUTCOME_KEYS = [
  'role',
  'metric',
  'version',
  'kind',
  'direction',
  'minimumEffect',
  'margin',
  'comparisons',
];
const COMPARISON_KEYS = [
  'variantKey',
  'controlKey',
  'significant',
  'outcome',
  'passesThreshold',
  'guardrail',
];

const onlyKeys = (value: unknown, keys: readonly string[]): boolean =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.keys(value).every((k) => keys.includes(k));

/** Logged metrics are flags only (`LoggedMetricOutcome`): no metric number may reach the log. */
function assertFlagsOnly(metrics: unknown): void {
  const ok =
    Array.isArray(metrics) &&
    metrics.every(
      (m) =>
        onlyKeys(m, OUTCOME_KEYS) &&
        Array.isArray((m as { comparisons?: unknown }).comparisons) &&
        (m as { comparisons: unknown[] }).comparisons.every((c) => onlyKeys(c, COMPARISON_KEYS)),
    );
  if (!ok)
    invalid(
      'metrics',
      'must be metric outcomes without numbers (role, metric, version, kind, direction, minimumEffect, margin, comparisons of flags); log with logGovernanceVerdict, which strips them.',
    );
}

/**
 * Validates a governance log row before a store appends it; throws `invalid_input` naming the
 * field when `id` or `experimentId` is not a UUID, `verdict` is unknown, a `conclude` row has
 * no winner (or another verdict has one), `reason` is empty, `evaluatedAt` is not an ISO 8601
 * time, `assigned`/`weights` are not maps of non-negative numbers, `srm`, `factors` or
 * `settings` are missing, `metrics` carry anything but flags (`LoggedMetricOutcome`), anything is not plain JSON (no `NaN`, `Infinity`, `Date`...), or the
 * entry is over `LIMITS.governanceLogEntryBytes` bytes or `LIMITS.jsonDepth` levels of JSON.
 */
export function assertValidGovernanceLogEntry(entry: unknown): asserts entry is GovernanceLogEntry {
  if (typeof entry !== 'object' || entry === null) {
    throw new FactoredError('invalid_input', 'governance log entry must be an object.');
  }
  const e = entry as Record<string, unknown>;
  if (!isUuid(e.id)) invalid('id', 'must be a UUID.');
  if (!isUuid(e.experimentId)) invalid('experimentId', 'must be an experiment id (a UUID).');
  if (!VERDICTS.includes(e.verdict as GovernanceVerdict)) {
    invalid('verdict', `must be one of ${VERDICTS.join(', ')}.`);
  }
  if (
    e.verdict === 'conclude' ? typeof e.winner !== 'string' || e.winner === '' : e.winner !== null
  ) {
    invalid('winner', 'must be the winning variant key for conclude, and null otherwise.');
  }
  if (typeof e.reason !== 'string' || e.reason === '')
    invalid('reason', 'must be a non-empty string.');
  if (
    typeof e.evaluatedAt !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}T/.test(e.evaluatedAt) ||
    !Number.isFinite(Date.parse(e.evaluatedAt))
  ) {
    invalid('evaluatedAt', 'must be an ISO 8601 time.');
  }
  for (const field of ['assigned', 'weights'] as const) {
    const map = e[field];
    if (
      typeof map !== 'object' ||
      map === null ||
      Array.isArray(map) ||
      Object.values(map).some((v) => typeof v !== 'number' || !(v >= 0))
    ) {
      invalid(field, 'must map variant keys to non-negative numbers.');
    }
  }
  if (typeof e.srm !== 'object' || e.srm === null) invalid('srm', 'is required.');
  if (!Array.isArray(e.factors)) invalid('factors', 'must be an array.');
  if (typeof e.settings !== 'object' || e.settings === null) invalid('settings', 'is required.');
  if (typeof e.controlKey !== 'string') invalid('controlKey', 'must be a string.');
  if (e.metrics !== undefined) assertFlagsOnly(e.metrics);
  if (!isJsonValue(entry))
    invalid('(any field)', 'must be plain JSON: no NaN, Infinity, Date or undefined values.');
  const problem = jsonLimitProblem(entry, 'the entry', 'governanceLogEntryBytes');
  if (problem) invalid('(whole entry)', `${problem}.`);
}
