import type { FactoredStore } from '../store/contract.js';
import type { ExperimentSummaryFilters, ExperimentVariantSummary } from './types.js';

/**
 * Dashboard rows, one per variant of every matching experiment, with distinct assigned and
 * exposed user counts (counted over the rows the store's role may see: use a service store
 * for a governor view).
 */
export function queryExperimentSummaries(
  store: FactoredStore,
  filters: ExperimentSummaryFilters = {},
): Promise<ExperimentVariantSummary[]> {
  return store.getExperimentSummaries(filters);
}

/** Dashboard rows of one experiment (one per variant). `not_found` when it does not exist. */
export function queryExperimentSummary(
  store: FactoredStore,
  experimentId: string,
): Promise<ExperimentVariantSummary[]> {
  return store.getExperimentSummary(experimentId);
}
