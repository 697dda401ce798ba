import { FactoredError } from '../errors.js';
import { withLegacyAliases } from '../legacy/calls.js';
import { EXPERIMENT_ALIASES, experimentDefinitionFrom051 } from '../legacy/experiments.js';
import type { FactoredStore } from '../store/contract.js';
import type {
  Experiment,
  ExperimentChanges,
  ExperimentDefinition,
  ExperimentDefinitionChanges,
  ExperimentStatus,
  NewExperiment,
} from './types.js';
import { validateExperimentDefinition } from './validate.js';

/** The legal lifecycle transitions: `draft -> running -> concluded`, `draft|running -> stopped`. */
export const EXPERIMENT_TRANSITIONS: Readonly<
  Record<ExperimentStatus, readonly ExperimentStatus[]>
> = Object.freeze({
  draft: ['running', 'stopped'],
  running: ['concluded', 'stopped'],
  concluded: [],
  stopped: [],
});

/** True when an experiment may move from `from` to `to`. */
export function canTransition(from: ExperimentStatus, to: ExperimentStatus): boolean {
  return EXPERIMENT_TRANSITIONS[from].includes(to);
}

/**
 * Throws `conflict` (with `details.status` and `details.to`) unless `experiment` may move to
 * `to`; the message says which transitions are possible.
 */
export function assertTransition(experiment: Experiment, to: ExperimentStatus): void {
  if (canTransition(experiment.status, to)) return;
  const next = EXPERIMENT_TRANSITIONS[experiment.status];
  throw new FactoredError(
    'conflict',
    `experiment "${experiment.name}" is ${experiment.status} and cannot become ${to}; ` +
      (next.length > 0
        ? `from ${experiment.status} it can only become ${next.join(' or ')}.`
        : `${experiment.status} is final: create a new experiment instead.`),
    { details: { experimentId: experiment.id, status: experiment.status, to } },
  );
}

/**
 * Validates `definition` and stores it as a draft. Throws `invalid_input` naming the bad
 * field, `conflict` when the name exists, `unauthorized` unless the store has the service role.
 *
 * @example
 * ```ts
 * const experiment = await createExperiment(service, {
 *   name: 'checkout-button-copy',
 *   path: 'checkout/review/payment-form/submit',
 *   variants: [
 *     { key: 'control', weight: 50 },
 *     { key: 'pay-now', weight: 50, config: { label: 'Pay now' } },
 *   ],
 * });
 * await startExperiment(service, experiment.id);
 * ```
 */
export async function createExperiment(
  store: FactoredStore,
  definition: NewExperiment,
): Promise<Experiment> {
  const experiment = await store.insertExperiment(
    validateExperimentDefinition(experimentDefinitionFrom051(definition) as NewExperiment),
  );
  return withLegacyAliases(experiment, 'createExperiment()', EXPERIMENT_ALIASES);
}

async function transition(
  store: FactoredStore,
  idOrName: string,
  to: ExperimentStatus,
  winner?: string,
): Promise<Experiment> {
  const experiment = await store.getExperiment(idOrName);
  assertTransition(experiment, to);
  return store.transitionExperiment(experiment.id, {
    from: experiment.status,
    to,
    ...(winner === undefined ? {} : { winner }),
  });
}

/** Starts a draft experiment (by id or name). `conflict` unless it is a draft. */
export function startExperiment(store: FactoredStore, idOrName: string): Promise<Experiment> {
  return transition(store, idOrName, 'running');
}

/**
 * Stops a draft or running experiment without a winner; its flag then resolves to the host's
 * default for everyone. `conflict` when it is already concluded or stopped.
 */
export function stopExperiment(store: FactoredStore, idOrName: string): Promise<Experiment> {
  return transition(store, idOrName, 'stopped');
}

/**
 * Concludes a running experiment with `winner`, which every user then gets. `invalid_input`
 * when `winner` is not one of its variants, `conflict` unless it is running.
 */
export async function concludeExperiment(
  store: FactoredStore,
  idOrName: string,
  winner: string,
): Promise<Experiment> {
  const experiment = await store.getExperiment(idOrName);
  if (!experiment.variants.some((v) => v.key === winner)) {
    throw new FactoredError(
      'invalid_input',
      `winner: "${winner}" is not a variant of "${experiment.name}" (variants: ${experiment.variants
        .map((v) => v.key)
        .join(', ')}).`,
      { details: { field: 'winner' } },
    );
  }
  assertTransition(experiment, 'concluded');
  return store.transitionExperiment(experiment.id, {
    from: experiment.status,
    to: 'concluded',
    winner,
  });
}

/** Fields a running experiment may still change; everything else is frozen once it starts. */
export const RUNNING_MUTABLE_FIELDS: readonly (keyof ExperimentChanges)[] = Object.freeze([
  'description',
  'coverage',
  'targeting',
  'platforms',
]);

// `null` and absent are the same (no layer).
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * Changes an experiment's definition. A draft may change anything; a running experiment only
 * its description, coverage, targeting and platforms (its name, path, seed, layer slice,
 * variants and weights are frozen, so no enrolled user ever moves); a concluded or stopped one nothing.
 * The merged definition is validated like a new one. Throws `conflict` for a frozen field or
 * a concurrent status change, `invalid_input`, `not_found`, `unauthorized`.
 */
export async function updateExperiment(
  store: FactoredStore,
  idOrName: string,
  changes: ExperimentChanges,
): Promise<Experiment> {
  const current = await store.getExperiment(idOrName);
  if (current.status === 'concluded' || current.status === 'stopped') {
    throw new FactoredError(
      'conflict',
      `experiment "${current.name}" is ${current.status}; its definition can no longer change.`,
      { details: { experimentId: current.id, status: current.status } },
    );
  }
  const changed = (Object.keys(changes) as (keyof ExperimentChanges)[]).filter(
    (field) => changes[field] !== undefined && !same(changes[field], current[field]),
  );
  if (current.status === 'running') {
    const frozen = changed.filter((field) => !RUNNING_MUTABLE_FIELDS.includes(field));
    if (frozen.length > 0) {
      throw new FactoredError(
        'conflict',
        `experiment "${current.name}" is running: ${frozen.join(', ')} cannot change (only ${RUNNING_MUTABLE_FIELDS.join(', ')} can). Stop it and create a new experiment instead.`,
        { details: { experimentId: current.id, status: current.status, fields: frozen } },
      );
    }
  }
  const merged: ExperimentDefinition = validateExperimentDefinition({
    name: changes.name ?? current.name,
    description: changes.description ?? current.description,
    path: changes.path ?? current.path,
    variants: changes.variants ?? current.variants,
    coverage: changes.coverage ?? current.coverage,
    targeting: changes.targeting ?? current.targeting,
    platforms: changes.platforms ?? current.platforms,
    seed: changes.seed ?? current.seed,
    layer: changes.layer === undefined ? current.layer : changes.layer,
  });
  const normalized: ExperimentDefinitionChanges = {};
  for (const field of changed) {
    (normalized as Record<string, unknown>)[field] =
      field === 'layer' ? (merged.layer ?? null) : merged[field];
  }
  if (changed.length === 0) return current;
  return store.updateExperiment(current.id, {
    expectedStatus: current.status,
    changes: normalized,
  });
}

/** The experiment with this id or name. `not_found` otherwise. */
export function getExperiment(store: FactoredStore, idOrName: string): Promise<Experiment> {
  return store.getExperiment(idOrName);
}

/** Experiments filtered by status and/or path, oldest first. */
export function listExperiments(
  store: FactoredStore,
  query: { status?: readonly ExperimentStatus[]; path?: string } = {},
): Promise<Experiment[]> {
  return store.listExperiments(query);
}
