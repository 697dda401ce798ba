import { warnLegacyOnce } from './calls.js';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** 0.5.1 field names of experiments (deprecated aliases on returned experiments). */
export const EXPERIMENT_ALIASES = {
  component_path: 'path',
  winning_variant: 'winner',
  created_at: 'createdAt',
  concluded_at: 'endedAt',
  targeting_rules: 'targeting',
} as const;

/** 0.5.1 field names of experiment summary rows (v_experiment_summary). */
export const SUMMARY_ALIASES = {
  experiment_id: 'experimentId',
  name: 'experimentName',
  component_path: 'path',
  winning_variant: 'winner',
  created_at: 'createdAt',
  concluded_at: 'endedAt',
  variant_key: 'variantKey',
  traffic_percentage: 'weight',
  assigned_users: 'assignedUsers',
  exposed_users: 'exposedUsers',
} as const;

/**
 * Maps a 0.5.1 experiment definition (`component_path`, variants with `variant_key` and
 * `traffic_percentage`, `targeting_rules`) to the current names, warning once; returns any other
 * input unchanged (validation then reports what is wrong with it).
 */
export function experimentDefinitionFrom051(definition: unknown): unknown {
  if (!isRecord(definition)) return definition;
  const variants = Array.isArray(definition.variants) ? definition.variants : [];
  const old =
    'component_path' in definition ||
    'targeting_rules' in definition ||
    variants.some((v) => isRecord(v) && ('variant_key' in v || 'traffic_percentage' in v));
  if (!old) return definition;
  warnLegacyOnce(
    'createExperiment.definition',
    'createExperiment: component_path, targeting_rules and variants { variant_key, traffic_percentage } are 0.5.1 names; write path, targeting and variants { key, weight }',
  );
  const { component_path, targeting_rules, ...rest } = definition;
  return {
    ...rest,
    ...(component_path === undefined ? {} : { path: component_path }),
    ...(targeting_rules === undefined ? {} : { targeting: targeting_rules }),
    variants: variants.map((v) => {
      if (!isRecord(v)) return v;
      const { variant_key, traffic_percentage, ...other } = v;
      return {
        ...other,
        ...(variant_key === undefined ? {} : { key: variant_key }),
        ...(traffic_percentage === undefined ? {} : { weight: traffic_percentage }),
      };
    }),
  };
}

/** Maps the 0.5.1 snake_case summary filters (`component_path`) to the current names, warning once. */
export function summaryFiltersFrom051<T extends object>(filters: T): T {
  if (!isRecord(filters) || !('component_path' in filters)) return filters;
  warnLegacyOnce(
    'queryExperimentSummaries.component_path',
    'queryExperimentSummaries: the component_path filter is the 0.5.1 name; pass path',
  );
  const { component_path, ...rest } = filters;
  return { ...rest, path: component_path } as unknown as T;
}
