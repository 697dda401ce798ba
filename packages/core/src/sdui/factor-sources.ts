import type { ComponentPath } from '../capture/types.js';
import { assertComponentPath } from '../capture/validate.js';
import {
  FACTOR_CATALOG,
  type FactorQueryOptions,
  getFactorDefinition,
  queryComponentFactors,
  queryFactorHistory,
  queryFactors,
} from '../factors/index.js';
import type {
  ComponentFactorAggregate,
  FactorDefinition,
  FactorName,
  FactorSnapshotValue,
  FactorTier,
  FactorValue,
} from '../factors/types.js';
import type { FactoredStore } from '../store/contract.js';
import type { TimeInput } from '../util/time.js';
import type { DataSource } from './sources.js';
import type { Spec, SpecNode } from './types.js';

/** Catalog fields added to every factor row, so specs can show them without code. */
export interface FactorLabels {
  /** Human label, e.g. `Completion rate`, `Hesitation (ms)`. */
  label: string;
  tier: FactorTier;
  direction: FactorDefinition['direction'];
  unit: FactorDefinition['unit'];
  description: string;
}

/** Formats a factor value for display: ratios as percentages, ms and counts as numbers. */
export function formatFactorValue(factor: FactorName, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const unit = getFactorDefinition(factor).unit;
  if (unit === 'ratio') return `${(value * 100).toFixed(1)}%`;
  if (unit === 'ms') return `${Math.round(value).toLocaleString('en-US')} ms`;
  return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(2);
}

/** The display label of a factor: `completion_rate` -> `Completion rate`. */
export function factorLabel(factor: FactorName): string {
  const words = factor.replace(/_ms$/, '').replaceAll('_', ' ');
  const label = words.charAt(0).toUpperCase() + words.slice(1);
  return factor.endsWith('_ms') ? `${label} (ms)` : label;
}

function labelsOf(factor: FactorName): FactorLabels {
  const def = getFactorDefinition(factor);
  return {
    label: factorLabel(factor),
    tier: def.tier,
    direction: def.direction,
    unit: def.unit,
    description: def.description,
  };
}

/** Options shared by the factor data sources. */
export interface FactorSourceOptions extends FactorQueryOptions {
  cache?: DataSource['cache'];
  maxItems?: number;
}

const sourceSettings = (options: FactorSourceOptions | undefined) => ({
  ...(options?.cache === undefined ? {} : { cache: options.cache }),
  ...(options?.maxItems === undefined ? {} : { maxItems: options.maxItems }),
});

const queryOptions = (options: FactorSourceOptions | undefined): FactorQueryOptions =>
  options?.factors === undefined ? {} : { factors: options.factors };

/** A factor value of a user with its catalog labels and display text. */
export type FactorRow = FactorValue & FactorLabels & { display: string };

/**
 * A data source of a user's current factor values (optionally on one path), each row with its
 * catalog labels and a display string. Bind it in a list: `data: "{factors}"`.
 */
export function factorSource(
  store: FactoredStore,
  userId: string,
  path?: ComponentPath,
  options?: FactorSourceOptions,
): DataSource<FactorRow[]> {
  return {
    ...sourceSettings(options),
    async fetch() {
      const values = await queryFactors(store, userId, path, queryOptions(options));
      return values.map((v) => ({
        ...v,
        ...labelsOf(v.factor),
        display: formatFactorValue(v.factor, v.value),
      }));
    },
  };
}

/** A component aggregate with catalog labels and display strings. */
export type ComponentFactorRow = ComponentFactorAggregate &
  FactorLabels & {
    display: {
      mean: string;
      median: string;
      p95: string;
      min: string;
      max: string;
      stddev: string;
    };
  };

/** What {@link componentFactorSource} produces. */
export interface ComponentFactorsData {
  path: ComponentPath;
  /** Every aggregate, catalog order. */
  rows: ComponentFactorRow[];
  /** Aggregates by factor name (a withheld factor is absent). */
  byFactor: Partial<Record<FactorName, ComponentFactorRow>>;
  /** Aggregates by tier, catalog order. */
  byTier: Record<FactorTier, ComponentFactorRow[]>;
  /** Largest user count of any factor (0 when nothing is shown). */
  userCount: number;
  asOf: string | null;
  /** True when every factor is withheld (fewer than 5 users) or absent. */
  empty: boolean;
}

/**
 * A data source of a component path's factor aggregates (withheld below 5 users by the store),
 * shaped for specs: `rows`, `byFactor`, `byTier`, `empty`. {@link buildFactorDashboardSpec}
 * binds it under the name `componentFactors`.
 */
export function componentFactorSource(
  store: FactoredStore,
  path: ComponentPath,
  options?: FactorSourceOptions,
): DataSource<ComponentFactorsData> {
  assertComponentPath(path, 'componentFactorSource: path');
  return {
    ...sourceSettings(options),
    async fetch() {
      const aggregates = await queryComponentFactors(store, path, queryOptions(options));
      const order = new Map(FACTOR_CATALOG.map((d, i) => [d.name, i]));
      const rows: ComponentFactorRow[] = aggregates
        .filter((a) => a.path === path)
        .sort((a, b) => (order.get(a.factor) ?? 0) - (order.get(b.factor) ?? 0))
        .map((a) => ({
          ...a,
          ...labelsOf(a.factor),
          display: {
            mean: formatFactorValue(a.factor, a.mean),
            median: formatFactorValue(a.factor, a.median),
            p95: formatFactorValue(a.factor, a.p95),
            min: formatFactorValue(a.factor, a.min),
            max: formatFactorValue(a.factor, a.max),
            stddev: formatFactorValue(a.factor, a.stddev),
          },
        }));
      const byTier: Record<FactorTier, ComponentFactorRow[]> = {
        alarm: [],
        diagnostic: [],
        structural: [],
      };
      const byFactor: Partial<Record<FactorName, ComponentFactorRow>> = {};
      for (const row of rows) {
        byTier[row.tier].push(row);
        byFactor[row.factor] = row;
      }
      return {
        path,
        rows,
        byFactor,
        byTier,
        userCount: rows.reduce((max, r) => Math.max(max, r.userCount), 0),
        asOf: rows.reduce<string | null>(
          (latest, r) => (latest === null || r.asOf > latest ? r.asOf : latest),
          null,
        ),
        empty: rows.length === 0,
      };
    },
  };
}

/** A snapshot value with catalog labels and display text. */
export type FactorHistoryRow = FactorSnapshotValue & FactorLabels & { display: string };

/**
 * A data source of a user's factor snapshots since a time (oldest first), for trend lists.
 */
export function factorHistorySource(
  store: FactoredStore,
  userId: string,
  path: ComponentPath | undefined,
  since: TimeInput,
  options?: FactorSourceOptions & { until?: TimeInput },
): DataSource<FactorHistoryRow[]> {
  return {
    ...sourceSettings(options),
    async fetch() {
      const history = await queryFactorHistory(store, userId, path, since, {
        ...queryOptions(options),
        ...(options?.until === undefined ? {} : { until: options.until }),
      });
      return history.map((v) => ({
        ...v,
        ...labelsOf(v.factor),
        display: formatFactorValue(v.factor, v.value),
      }));
    },
  };
}

/** Options of {@link buildFactorDashboardSpec}. */
export interface FactorDashboardOptions {
  /** Name under which the host binds {@link componentFactorSource} (default `componentFactors`). */
  sourceName?: string;
  /** Heading (default `Factors of <path>`). */
  title?: string;
  /** Prefix of every node id (default `factor-dashboard`), to embed several dashboards. */
  idPrefix?: string;
}

const TIER_TITLES: Record<FactorTier, string> = {
  alarm: 'Alarms: something is wrong',
  diagnostic: 'Diagnostics: what users went through',
  structural: 'Structure: what the component is',
};

// Literal braces must be doubled inside spec text (a single brace starts a binding).
const escapeText = (text: string) => text.replaceAll('{', '{{').replaceAll('}', '}}');

/**
 * A spec showing a component path's factor aggregates: one section per tier (alarm,
 * diagnostic, structural, from the factor catalog), a card per factor with mean, median, p95,
 * range and user count, and an explanation when the path has fewer than 5 users. Render it with
 * `componentFactorSource(store, path)` bound as `componentFactors`.
 *
 * @example
 * ```ts
 * const spec = buildFactorDashboardSpec('checkout/review/payment-form');
 * const { data } = await resolveAllSources({ componentFactors: componentFactorSource(store, path) });
 * ```
 */
export function buildFactorDashboardSpec(
  path: ComponentPath,
  options: FactorDashboardOptions = {},
): Spec {
  assertComponentPath(path, 'buildFactorDashboardSpec: path');
  const source = options.sourceName ?? 'componentFactors';
  const id = (suffix: string) => `${options.idPrefix ?? 'factor-dashboard'}-${suffix}`;
  const tiers = [...new Set(FACTOR_CATALOG.map((d) => d.tier))];

  const section = (tier: FactorTier): SpecNode[] => [
    {
      id: id(`${tier}-heading`),
      type: 'text',
      visible: `{${source}.byTier.${tier}}`,
      props: { content: TIER_TITLES[tier], variant: 'subtitle' },
    },
    {
      id: id(`${tier}-list`),
      type: 'list',
      props: { data: `{${source}.byTier.${tier}}`, itemKey: 'factor', gap: 2 },
      itemTemplate: {
        id: id(`${tier}-card`),
        type: 'card',
        props: { title: '{item.label}', subtitle: '{item.description}' },
        children: [
          {
            id: id(`${tier}-stats`),
            type: 'row',
            props: { gap: 1, wrap: true },
            children: [
              {
                id: id(`${tier}-mean`),
                type: 'chip',
                props: { label: 'Mean {item.display.mean}' },
              },
              {
                id: id(`${tier}-median`),
                type: 'chip',
                props: { label: 'Median {item.display.median}' },
              },
              { id: id(`${tier}-p95`), type: 'chip', props: { label: 'p95 {item.display.p95}' } },
              { id: id(`${tier}-users`), type: 'chip', props: { label: '{item.userCount} users' } },
            ],
          },
          {
            id: id(`${tier}-range`),
            type: 'text',
            props: {
              content:
                'Range {item.display.min} to {item.display.max}, standard deviation {item.display.stddev}',
              variant: 'caption',
              tone: 'muted',
            },
          },
        ],
      },
    },
  ];

  return {
    spec_version: 1,
    renderer_min: 1,
    root: {
      id: id('root'),
      type: 'column',
      props: { gap: 3 },
      children: [
        {
          id: id('title'),
          type: 'text',
          props: { content: escapeText(options.title ?? `Factors of ${path}`), variant: 'heading' },
        },
        {
          id: id('as-of'),
          type: 'text',
          visible: `{${source}.asOf}`,
          props: { content: `As of {${source}.asOf}`, variant: 'caption', tone: 'muted' },
        },
        {
          id: id('empty'),
          type: 'text',
          visible: `{${source}.empty}`,
          props: {
            content:
              'Not enough users yet: aggregates appear once at least 5 users have a value on this component.',
            tone: 'muted',
          },
        },
        ...tiers.flatMap(section),
      ],
    },
  };
}
