import { withLegacyRowAliases } from '../legacy/calls.js';
import { SUMMARY_ALIASES, summaryFiltersFrom051 } from '../legacy/experiments.js';
import type { FactoredStore } from '../store/contract.js';
import type {
  ExperimentStatus,
  ExperimentSummaryFilters,
  ExperimentVariantSummary,
} from './types.js';

/** Filters of {@link queryExperimentSummaries}; `status` may also be one status (as in 0.5). */
export interface ExperimentSummaryQuery extends Omit<ExperimentSummaryFilters, 'status'> {
  status?: ExperimentStatus | readonly ExperimentStatus[];
}

/**
 * Dashboard rows, one per variant of every matching experiment (oldest experiment first,
 * variants in definition order), with distinct assigned and exposed user counts. Counts cover
 * the rows the store's role may see: use a service store for a governor view.
 */
export async function queryExperimentSummaries(
  store: FactoredStore,
  filters: ExperimentSummaryQuery = {},
): Promise<ExperimentVariantSummary[]> {
  const { status, ...rest } = summaryFiltersFrom051(filters);
  const rows = await store.getExperimentSummaries(
    status === undefined
      ? rest
      : { ...rest, status: typeof status === 'string' ? [status] : status },
  );
  return withLegacyRowAliases(rows, 'queryExperimentSummaries() row', SUMMARY_ALIASES);
}

/** Dashboard rows of one experiment (one per variant). `not_found` when it does not exist. */
export function queryExperimentSummary(
  store: FactoredStore,
  experimentId: string,
): Promise<ExperimentVariantSummary[]> {
  return store.getExperimentSummary(experimentId);
}
