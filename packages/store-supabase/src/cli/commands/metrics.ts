import {
  analyzeMetric,
  assertValidMetricPlan,
  computeGovernanceVerdict,
  type Experiment,
  type ExperimentMetricPlan,
  evaluateExperimentThresholds,
  expectedDaysToDecision,
  type FactoredStore,
  type GovernanceDecision,
  type GuardrailGoal,
  type GuardrailStatus,
  type MetricAnalysis,
  type MetricComparison,
  type MetricDefinition,
  metricSummary,
  normalizeMetricDefinition,
  type PrimaryMetricGoal,
  type StoredMetric,
  type ThresholdScale,
} from '@factoredui/core';
import {
  CliError,
  type CommandSpec,
  listOption,
  type ParsedCommand,
  stringOption,
  timeOption,
} from '../args.js';
import { CONNECTION_NOTE, CONNECTION_OPTIONS, withStore } from '../connect.js';
import { readJsonFile } from '../files.js';

const DAY_MS = 86_400_000;

const EXPERIMENT_ARGUMENT = {
  name: 'experiment',
  required: true,
  description: 'The experiment id or name.',
} as const;

const JSON_OPTION = {
  json: { type: 'boolean', description: 'Print the result as JSON.' },
} as const;

function usage(command: string, message: string): CliError {
  return new CliError(message, { exitCode: 2, command });
}

/** Parses a finite number option; a usage error naming the flag otherwise. */
function numberOption(
  args: ParsedCommand,
  name: string,
  command: string,
  check: (n: number) => boolean,
  expected: string,
): number | undefined {
  const text = stringOption(args, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || !check(value))
    throw usage(command, `--${name} "${text}" must be ${expected}.`);
  return value;
}

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: DAY_MS,
  w: 7 * DAY_MS,
};

/** `7d`, `36h`, `90m`, `30s`, `500ms`, `2w`, or plain milliseconds. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)?$/.exec(text.trim());
  if (!match) return null;
  const ms = Number(match[1]) * (DURATION_UNITS[match[2] ?? 'ms'] ?? 1);
  return Number.isSafeInteger(ms) && ms > 0 ? ms : null;
}

/** A window in the largest unit that divides it: `7d`, `36h`, `1500ms`. */
function formatDuration(ms: number | null): string {
  if (ms === null) return '-';
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    const size = DURATION_UNITS[unit] as number;
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** `metric` or `metric@version`. */
function parseMetricRef(text: string, command: string, flag: string) {
  const match = /^([^@:\s]+)(?:@(\d+))?$/.exec(text);
  if (!match) throw usage(command, `--${flag} "${text}" must be <metric> or <metric>@<version>.`);
  const version = match[2] === undefined ? undefined : Number(match[2]);
  if (version !== undefined && !(Number.isSafeInteger(version) && version >= 1))
    throw usage(command, `--${flag} "${text}": the version must be a whole number from 1.`);
  return { metric: match[1] as string, ...(version !== undefined ? { version } : {}) };
}

function parseScale(text: string | undefined, command: string, flag: string) {
  if (text === undefined || text === 'absolute' || text === 'relative')
    return text as ThresholdScale | undefined;
  throw usage(command, `--${flag} "${text}" must be absolute or relative.`);
}

// ---------------------------------------------------------------------------------------------
// define

const DEFINITION_FLAGS = [
  'name',
  'kind',
  'direction',
  'event',
  'path',
  'property',
  'window',
  'cap',
  'description',
  'numerator',
  'denominator',
] as const;

/** A ratio side given as JSON on the command line. */
function componentOption(args: ParsedCommand, name: string, command: string): unknown {
  const text = stringOption(args, name);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw usage(
      command,
      `--${name} must be JSON, e.g. '{"kind":"sum","event":"purchase","property":"revenue"}'.`,
    );
  }
}

function definitionFromFlags(args: ParsedCommand): MetricDefinition {
  const command = 'metrics define';
  const name = stringOption(args, 'name');
  if (name === undefined) throw usage(command, 'Give a definition file or --name.');
  for (const flag of ['kind', 'direction'])
    if (stringOption(args, flag) === undefined)
      throw usage(
        command,
        `Missing option --${flag} (a definition from flags needs --name, --kind and --direction).`,
      );
  const windowText = stringOption(args, 'window');
  const windowMs = windowText === undefined ? undefined : parseDuration(windowText);
  if (windowMs === null)
    throw usage(
      command,
      `--window "${windowText}" must be a positive duration: 7d, 36h, 90m, 30s, 500ms, 2w or milliseconds.`,
    );
  const cap = numberOption(args, 'cap', command, (n) => n >= 0, 'a number >= 0');
  const definition: Record<string, unknown> = {
    name,
    kind: stringOption(args, 'kind'),
    direction: stringOption(args, 'direction'),
  };
  for (const key of ['event', 'path', 'property', 'description'] as const) {
    const value = stringOption(args, key);
    if (value !== undefined) definition[key] = value;
  }
  if (windowMs !== undefined) definition.windowMs = windowMs;
  if (cap !== undefined) definition.cap = cap;
  const numerator = componentOption(args, 'numerator', command);
  const denominator = componentOption(args, 'denominator', command);
  if (numerator !== undefined) definition.numerator = numerator;
  if (denominator !== undefined) definition.denominator = denominator;
  return definition as unknown as MetricDefinition;
}

/** What `defineMetric` did with one definition. */
type DefineOutcome = 'new' | 'changed' | 'unchanged';

function describeMetric(m: StoredMetric): string {
  if (m.kind === 'ratio') {
    const side = (c: StoredMetric['numerator']) =>
      c
        ? `${c.kind}(${c.event}${c.kind === 'sum' ? `.${c.property}` : ''}${c.path ? ` on ${c.path}` : ''})`
        : '?';
    return `${side(m.numerator)} / ${side(m.denominator)}`;
  }
  const of = m.kind === 'sum' || m.kind === 'mean' ? `${m.event}.${m.property}` : m.event;
  return `${of}${m.path ? ` on ${m.path}` : ''}`;
}

export const metricsDefineCommand: CommandSpec = {
  name: 'metrics define',
  summary:
    'Define a metric (or several) from a JSON file or flags; a changed definition stores a new version.',
  positionals: [
    {
      name: 'file',
      required: false,
      description: 'A JSON file with one definition or an array of them (instead of the flags).',
    },
  ],
  options: {
    name: {
      type: 'string',
      value: '<name>',
      description: '1-64 characters: lowercase letters, digits, _ . -',
    },
    kind: {
      type: 'string',
      value: '<kind>',
      description: 'conversion, count, sum, mean or ratio.',
    },
    direction: { type: 'string', value: '<higher|lower>', description: 'Which way is better.' },
    event: {
      type: 'string',
      value: '<event>',
      description: 'The counted event: a track() name or a built-in type (not for ratio).',
    },
    path: {
      type: 'string',
      value: '<path>',
      description: 'Only events on this component path or below it. Default: every path.',
    },
    property: {
      type: 'string',
      value: '<property>',
      description: 'The numeric property (sum, mean).',
    },
    window: {
      type: 'string',
      value: '<duration>',
      description: 'Count events up to this long after exposure: 7d, 36h, 90m, 30s, 500ms, 2w.',
    },
    cap: {
      type: 'string',
      value: '<number>',
      description: 'Winsorization cap of the per-user value (not for conversion).',
    },
    description: { type: 'string', value: '<text>', description: 'What the metric is for.' },
    numerator: {
      type: 'string',
      value: '<json>',
      description:
        'Ratio numerator, e.g. \'{"kind":"sum","event":"purchase","property":"revenue"}\'.',
    },
    denominator: {
      type: 'string',
      value: '<json>',
      description: 'Ratio denominator, e.g. \'{"kind":"count","event":"session_start"}\'.',
    },
    ...CONNECTION_OPTIONS,
    ...JSON_OPTION,
  },
  notes: [
    'Examples:\n' +
      '  factoredui metrics define --name checkout-conversion --kind conversion --direction higher \\\n' +
      '    --event purchase --path shop/checkout --window 7d\n' +
      '  factoredui metrics define metrics.json      # one definition or an array (windowMs in ms)',
    'The same definition again keeps its version ("unchanged"); a changed one stores the next version\n' +
      'and keeps the earlier ones. Every definition is validated before any is stored.',
    CONNECTION_NOTE,
  ],
  async run(io, args) {
    const command = 'metrics define';
    const file = args.positionals[0];
    const flags = DEFINITION_FLAGS.filter((f) => args.values[f] !== undefined);
    if (file !== undefined && flags.length > 0)
      throw usage(
        command,
        `Give a definition file or flags, not both (got ${file} and --${flags.join(', --')}).`,
      );
    let definitions: unknown[];
    if (file !== undefined) {
      const parsed = await readJsonFile(io, file, 'Metric definition file');
      definitions = Array.isArray(parsed) ? parsed : [parsed];
      if (definitions.length === 0) throw new CliError(`${file} holds no metric definition.`);
    } else {
      definitions = [definitionFromFlags(args)];
    }
    // Validate every definition before storing any, so a bad file stores nothing.
    const names = new Set<string>();
    for (const [i, definition] of definitions.entries()) {
      const where = definitions.length > 1 ? ` (definition ${i + 1})` : '';
      try {
        const { name } = normalizeMetricDefinition(definition);
        if (names.has(name))
          throw new CliError(`metric ${name} is defined twice${where}; give each name once.`);
        names.add(name);
      } catch (error) {
        if (error instanceof CliError) throw error;
        const message = error instanceof Error ? error.message : String(error);
        throw new CliError(`[invalid_input] ${message}${where}`);
      }
    }
    await withStore(io, args, async ({ store, describe }) => {
      const results: { metric: StoredMetric; outcome: DefineOutcome }[] = [];
      for (const definition of definitions) {
        const { name } = normalizeMetricDefinition(definition);
        const before = await store.listMetrics({ name });
        const metric = await store.defineMetric(definition as MetricDefinition);
        const previous = before[0]?.version;
        const outcome: DefineOutcome =
          previous === undefined ? 'new' : previous === metric.version ? 'unchanged' : 'changed';
        results.push({ metric, outcome });
      }
      if (args.values.json) {
        io.stdout(`${JSON.stringify(results, null, 2)}\n`);
        return;
      }
      for (const { metric, outcome } of results) {
        const note =
          outcome === 'new'
            ? 'new'
            : outcome === 'unchanged'
              ? 'unchanged, the stored definition is the same'
              : `changed; version${metric.version > 2 ? 's' : ''} ${metric.version > 2 ? `1-${metric.version - 1}` : '1'} kept`;
        io.stdout(
          `${metric.name} version ${metric.version} (${note}): ${metric.kind} ${describeMetric(metric)}, ${metric.direction} is better, on ${describe}.\n`,
        );
      }
    });
  },
};

// ---------------------------------------------------------------------------------------------
// list

function table(rows: readonly (readonly string[])[]): string {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `  ${line}\n`)
    .join('');
}

export const metricsListCommand: CommandSpec = {
  name: 'metrics list',
  summary: 'List metric definitions: the latest version of each, or every version.',
  positionals: [],
  options: {
    name: { type: 'string', value: '<name>', description: 'Only this metric.' },
    'all-versions': { type: 'boolean', description: 'Every version, not only the latest.' },
    ...CONNECTION_OPTIONS,
    ...JSON_OPTION,
  },
  notes: [CONNECTION_NOTE],
  async run(io, args) {
    const name = stringOption(args, 'name');
    await withStore(io, args, async ({ store, describe }) => {
      const metrics = await store.listMetrics({
        ...(name !== undefined ? { name } : {}),
        allVersions: args.values['all-versions'] === true,
      });
      if (args.values.json) {
        io.stdout(`${JSON.stringify(metrics, null, 2)}\n`);
        return;
      }
      if (metrics.length === 0) {
        io.stdout(
          name !== undefined
            ? `No metric named ${name} on ${describe}.\n`
            : `No metrics defined on ${describe}; define one with \`factoredui metrics define\`.\n`,
        );
        return;
      }
      io.stdout(`${metrics.length} metric definition(s) on ${describe}:\n`);
      io.stdout(
        table([
          ['name', 'version', 'kind', 'direction', 'window', 'cap', 'created', 'measures'],
          ...metrics.map((m) => [
            m.name,
            String(m.version),
            m.kind,
            m.direction,
            formatDuration(m.windowMs),
            m.cap === null ? '-' : String(m.cap),
            m.createdAt,
            describeMetric(m),
          ]),
        ]),
      );
    });
  },
};

// ---------------------------------------------------------------------------------------------
// plan, set-plan

function describeSetting(value: number, scale: ThresholdScale): string {
  return scale === 'relative' ? `${round(value * 100)}% relative` : `${round(value)} absolute`;
}

function describePlan(plan: ExperimentMetricPlan): string {
  const ref = (g: { metric: string; version?: number }) =>
    `${g.metric}${g.version === undefined ? ' (latest version)' : ` version ${g.version}`}`;
  const lines = [
    plan.primary
      ? `  primary:   ${ref(plan.primary)}, minimum effect ${describeSetting(
          plan.primary.minimumEffect ?? 0,
          plan.primary.scale ?? 'absolute',
        )}`
      : '  primary:   none (decided on the thresholded factors)',
    ...plan.guardrails.map(
      (g) => `  guardrail: ${ref(g)}, margin ${describeSetting(g.margin, g.scale ?? 'relative')}`,
    ),
  ];
  if (plan.guardrails.length === 0) lines.push('  guardrails: none');
  return `${lines.join('\n')}\n`;
}

export const metricsPlanCommand: CommandSpec = {
  name: 'metrics plan',
  summary: "Show an experiment's metric plan: its primary metric and guardrails.",
  positionals: [EXPERIMENT_ARGUMENT],
  options: { ...CONNECTION_OPTIONS, ...JSON_OPTION },
  notes: [CONNECTION_NOTE],
  async run(io, args) {
    await withStore(io, args, async ({ store }) => {
      const experiment = await store.getExperiment(args.positionals[0] ?? '');
      const plan = await store.getMetricPlan(experiment.id);
      if (args.values.json) {
        io.stdout(
          `${JSON.stringify(
            { experimentId: experiment.id, experimentName: experiment.name, plan },
            null,
            2,
          )}\n`,
        );
        return;
      }
      io.stdout(
        plan === null
          ? `${experiment.name} has no metric plan; governance decides on its thresholded factors. Set one with \`factoredui metrics set-plan\`.\n`
          : `Metric plan of ${experiment.name} (${experiment.status}):\n${describePlan(plan)}`,
      );
    });
  },
};

/** `metric[@version]:margin[:scale]`. */
function parseGuardrail(text: string, command: string): GuardrailGoal {
  const match = /^([^:]+):([^:]+)(?::([^:]+))?$/.exec(text);
  if (!match)
    throw usage(command, `--guardrail "${text}" must be <metric>[@<version>]:<margin>[:<scale>].`);
  const margin = Number(match[2]);
  if (!Number.isFinite(margin) || margin < 0 || (match[2] ?? '').trim() === '')
    throw usage(command, `--guardrail "${text}": the margin must be a number >= 0.`);
  const scale = parseScale(match[3], command, 'guardrail');
  return {
    ...parseMetricRef(match[1] as string, command, 'guardrail'),
    margin,
    ...(scale !== undefined ? { scale } : {}),
  };
}

function planFromFlags(args: ParsedCommand, command: string): ExperimentMetricPlan {
  const primaryText = stringOption(args, 'primary');
  const noPrimary = args.values['no-primary'] === true;
  if (primaryText !== undefined && noPrimary)
    throw usage(command, 'Give --primary or --no-primary, not both.');
  const guardrails = listOption(args, 'guardrail').map((g) => parseGuardrail(g, command));
  if (primaryText === undefined && !noPrimary)
    throw usage(
      command,
      'Give a plan file, --primary <metric>, or --no-primary (decide on the thresholded factors).',
    );
  const minimumEffect = numberOption(args, 'min-effect', command, (n) => n >= 0, 'a number >= 0');
  const scale = parseScale(stringOption(args, 'min-effect-scale'), command, 'min-effect-scale');
  if (noPrimary && (minimumEffect !== undefined || scale !== undefined))
    throw usage(command, '--min-effect and --min-effect-scale need a --primary metric.');
  const primary: PrimaryMetricGoal | null =
    primaryText === undefined
      ? null
      : {
          ...parseMetricRef(primaryText, command, 'primary'),
          ...(minimumEffect !== undefined ? { minimumEffect } : {}),
          ...(scale !== undefined ? { scale } : {}),
        };
  return { primary, guardrails };
}

const PLAN_FLAGS = ['primary', 'no-primary', 'min-effect', 'min-effect-scale', 'guardrail'];

export const metricsSetPlanCommand: CommandSpec = {
  name: 'metrics set-plan',
  summary: "Set an experiment's primary metric and guardrails (replaces its plan).",
  positionals: [EXPERIMENT_ARGUMENT],
  options: {
    file: {
      type: 'string',
      value: '<plan.json>',
      description: 'The plan as JSON: { "primary": {...} | null, "guardrails": [...] }.',
    },
    primary: {
      type: 'string',
      value: '<metric[@version]>',
      description: 'The primary metric (default: its latest version at each evaluation).',
    },
    'no-primary': {
      type: 'boolean',
      description: 'No primary metric: decide on the thresholded factors (guardrails still apply).',
    },
    'min-effect': {
      type: 'string',
      value: '<number>',
      description: 'Smallest improvement of the primary worth shipping, >= 0. Default 0.',
    },
    'min-effect-scale': {
      type: 'string',
      value: '<scale>',
      description: 'absolute (default) or relative (0.02 = 2%).',
    },
    guardrail: {
      type: 'string',
      multiple: true,
      value: '<metric[@version]:margin[:scale]>',
      description:
        'A guardrail with its tolerated worsening; scale relative (default) or absolute.',
    },
    ...CONNECTION_OPTIONS,
    ...JSON_OPTION,
  },
  notes: [
    'Examples:\n' +
      '  factoredui metrics set-plan checkout-copy --primary checkout-conversion --min-effect 0.01 \\\n' +
      '    --guardrail errors:0.05 --guardrail order-value@2:1.5:absolute\n' +
      '  factoredui metrics set-plan checkout-copy --file plan.json',
    'Governance concludes only on a significant primary improvement reaching the minimum effect,\n' +
      'with no guardrail breached (a breach flags the experiment for review). A concluded or\n' +
      'stopped experiment keeps its plan (conflict). Metrics not defined yet are reported; governance\n' +
      'fails on them (not_found) until they are defined.',
    CONNECTION_NOTE,
  ],
  async run(io, args) {
    const command = 'metrics set-plan';
    const file = stringOption(args, 'file');
    const flags = PLAN_FLAGS.filter((f) => args.values[f] !== undefined);
    if (file !== undefined && flags.length > 0)
      throw usage(command, `Give --file or flags, not both (got --${flags.join(', --')}).`);
    let plan: ExperimentMetricPlan;
    if (file !== undefined) {
      const parsed = await readJsonFile(io, file, 'Metric plan file');
      try {
        assertValidMetricPlan(parsed);
      } catch (error) {
        throw new CliError(`[invalid_input] ${(error as Error).message} (in ${file})`);
      }
      plan = parsed;
    } else {
      plan = planFromFlags(args, command);
    }
    await withStore(io, args, async ({ store, describe }) => {
      const experiment = await store.getExperiment(args.positionals[0] ?? '');
      const stored = await store.setMetricPlan(experiment.id, plan);
      const missing = await missingMetrics(store, stored);
      if (args.values.json) {
        io.stdout(
          `${JSON.stringify(
            {
              experimentId: experiment.id,
              experimentName: experiment.name,
              plan: stored,
              undefinedMetrics: missing,
            },
            null,
            2,
          )}\n`,
        );
      } else {
        io.stdout(`Metric plan of ${experiment.name} set on ${describe}:\n${describePlan(stored)}`);
      }
      for (const m of missing)
        io.stderr(
          `warning: metric ${m} of the plan is not defined; governance of ${experiment.name} fails (not_found) until it is (factoredui metrics define).\n`,
        );
    });
  },
};

/** Plan metrics (and pinned versions) that are not defined, as `name` or `name@version`. */
async function missingMetrics(store: FactoredStore, plan: ExperimentMetricPlan) {
  const goals = [...(plan.primary ? [plan.primary] : []), ...plan.guardrails];
  const missing: string[] = [];
  for (const goal of goals) {
    const versions = await store.listMetrics({ name: goal.metric, allVersions: true });
    const found =
      goal.version === undefined
        ? versions.length > 0
        : versions.some((v) => v.version === goal.version);
    if (!found)
      missing.push(goal.version === undefined ? goal.metric : `${goal.metric}@${goal.version}`);
  }
  return missing;
}

// ---------------------------------------------------------------------------------------------
// stats

/** A metric comparison with what governance reads from it (plan metrics) or nothing (monitored). */
interface StatsComparison extends MetricComparison {
  passesThreshold: boolean | null;
  guardrail: GuardrailStatus | null;
}

/** One metric of the `stats` readout. */
interface StatsMetric extends Omit<MetricAnalysis, 'comparisons'> {
  role: 'primary' | 'guardrail' | 'monitored';
  /** The primary's minimum effect or the guardrail's margin. */
  setting: { value: number; scale: ThresholdScale } | null;
  comparisons: StatsComparison[];
}

/** The power and duration estimate of the `stats` readout. */
interface StatsPower {
  metric: string;
  baseline: number;
  variance: number;
  minimumDetectableEffect: number;
  alpha: number;
  power: number;
  requiredPerVariant: number;
  usersPerVariantSoFar: number;
  usersPerVariantPerDay: number;
  remainingPerVariant: number;
  /** `null` when the traffic is zero (never at this rate). */
  days: number | null;
}

/** Everything `factoredui metrics stats` reports. */
interface StatsReport {
  experimentId: string;
  experimentName: string;
  status: Experiment['status'];
  evaluatedAt: string;
  plan: ExperimentMetricPlan | null;
  /** Per-comparison significance level (governance's Bonferroni family). */
  alpha: number;
  assigned: Record<string, number>;
  srm: { pValue: number | null; flagged: boolean };
  metrics: StatsMetric[];
  /** What governance would decide at `evaluatedAt` (not logged; exact statistics). */
  verdict: GovernanceDecision;
  power: StatsPower | null;
  powerNote: string | null;
}

async function statsReport(
  store: FactoredStore,
  experimentRef: string,
  options: {
    at: string;
    monitored: readonly string[];
    mde: number | undefined;
    power: number;
  },
): Promise<StatsReport> {
  const experiment = await store.getExperiment(experimentRef);
  const plan = await store.getMetricPlan(experiment.id);
  const evaluation = await evaluateExperimentThresholds(store, experiment.id, {
    at: options.at,
    plan,
  });
  const verdict = computeGovernanceVerdict(evaluation);
  const { settings } = evaluation;
  const variantKeys = experiment.variants.map((v) => v.key);
  const treatments = Math.max(1, variantKeys.length - 1);
  const planMetrics = evaluation.metrics?.length ?? 0;
  const family = (evaluation.factors.length + planMetrics) * treatments;
  const alpha =
    settings.multipleComparisons === 'bonferroni' && family > 1
      ? settings.alpha / family
      : settings.alpha;
  const metrics: StatsMetric[] = (evaluation.metrics ?? []).map((m) => ({
    metric: m.metric,
    version: m.version,
    kind: m.kind,
    direction: m.direction,
    variants: m.variants,
    role: m.role,
    setting: m.minimumEffect ?? m.margin,
    comparisons: m.comparisons.map((c) => ({
      ...c,
      passesThreshold: m.role === 'primary' ? c.passesThreshold : null,
    })),
  }));
  const statistics = new Map<string, Awaited<ReturnType<FactoredStore['getMetricStatistics']>>>();
  for (const name of options.monitored) {
    if (metrics.some((m) => m.metric === name)) continue;
    const [metric] = await store.listMetrics({ name });
    if (!metric)
      throw new CliError(
        `metric ${name} is not defined; list the metrics with \`factoredui metrics list\`.`,
      );
    const rows = await store.getMetricStatistics({
      experimentId: experiment.id,
      metric: name,
      at: options.at,
    });
    statistics.set(name, rows);
    const analysis = analyzeMetric({ metric, statistics: rows }, variantKeys, settings, alpha);
    metrics.push({
      ...analysis,
      role: 'monitored',
      setting: null,
      comparisons: analysis.comparisons.map((c) => ({
        ...c,
        passesThreshold: null,
        guardrail: null,
      })),
    });
  }

  // Power and duration: for the primary metric (else the first monitored one).
  let power: StatsPower | null = null;
  let powerNote: string | null = null;
  const target =
    metrics.find((m) => m.role === 'primary') ?? metrics.find((m) => m.role === 'monitored');
  if (!target) {
    powerNote = 'No primary metric: name one with --metric to size the experiment on it.';
  } else if (experiment.startedAt === null) {
    powerNote = `${experiment.name} has not started; traffic is observed once it runs.`;
  } else {
    const rows =
      statistics.get(target.metric) ??
      (await store.getMetricStatistics({
        experimentId: experiment.id,
        metric: target.metric,
        version: target.version,
        at: options.at,
      }));
    const control = rows.find((r) => r.variantKey === evaluation.controlKey);
    const summary = control ? metricSummary(control) : null;
    const setting = target.role === 'primary' ? target.setting : null;
    const mde =
      options.mde ??
      (setting && setting.value > 0 && summary && Number.isFinite(summary.mean)
        ? setting.scale === 'relative'
          ? setting.value * Math.abs(summary.mean)
          : setting.value
        : undefined);
    if (!summary || !(summary.variance > 0)) {
      powerNote = `${target.metric} has no variance in ${evaluation.controlKey} yet (fewer than 2 exposed users or constant values).`;
    } else if (mde === undefined || mde === 0) {
      powerNote = `Give --mde <absolute effect> to size the experiment on ${target.metric} (its plan has no minimum effect).`;
    } else {
      const soFar = Math.min(...variantKeys.map((k) => evaluation.assigned[k] ?? 0));
      const days = Math.max(Date.parse(options.at) - Date.parse(experiment.startedAt), 0) / DAY_MS;
      const perDay = days > 0 ? soFar / days : 0;
      const estimate = expectedDaysToDecision(
        mde,
        { variance: summary.variance, alpha, power: options.power },
        { usersPerVariantSoFar: soFar, usersPerVariantPerDay: perDay },
      );
      power = {
        metric: target.metric,
        baseline: summary.mean,
        variance: summary.variance,
        minimumDetectableEffect: mde,
        alpha,
        power: options.power,
        requiredPerVariant: estimate.requiredPerVariant,
        usersPerVariantSoFar: soFar,
        usersPerVariantPerDay: perDay,
        remainingPerVariant: estimate.remainingPerVariant,
        days: Number.isFinite(estimate.days) ? estimate.days : null,
      };
      if (settings.inference === 'sequential')
        powerNote =
          'Fixed-horizon sample size; the always-valid (sequential) test governance runs needs somewhat more.';
    }
  }
  return {
    experimentId: experiment.id,
    experimentName: experiment.name,
    status: experiment.status,
    evaluatedAt: evaluation.evaluatedAt,
    plan,
    alpha,
    assigned: evaluation.assigned,
    srm: { pValue: evaluation.srm.pValue, flagged: evaluation.srm.flagged },
    metrics,
    verdict,
    power,
    powerNote,
  };
}

function round(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  return String(Number(x.toPrecision(digits)));
}

const num = (x: number | null, digits = 4) => (x === null ? '-' : round(x, digits));
const pct = (x: number | null) => (x === null ? '-' : `${round(x * 100, 3)}%`);

/** A probability in percent, `<0.01%` and `>99.99%` at the ends. */
const chance = (p: number) => (p < 1e-4 ? '<0.01%' : p > 1 - 1e-4 ? '>99.99%' : pct(p));

function formatStats(report: StatsReport): string {
  const out: string[] = [];
  out.push(
    `${report.experimentName} (${report.status}) at ${report.evaluatedAt}: ${Object.entries(
      report.assigned,
    )
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')} assigned${report.srm.flagged ? ' - SAMPLE RATIO MISMATCH' : ''}.`,
  );
  out.push(
    `Intervals at ${round((1 - report.alpha) * 100, 4)}% (per-comparison level of governance's family).`,
  );
  if (report.plan === null) out.push('No metric plan (factoredui metrics set-plan).');
  for (const m of report.metrics) {
    const setting =
      m.setting === null
        ? ''
        : m.role === 'primary'
          ? `, minimum effect ${describeSetting(m.setting.value, m.setting.scale)}`
          : `, margin ${describeSetting(m.setting.value, m.setting.scale)}`;
    out.push('');
    out.push(`${m.role} ${m.metric} v${m.version} (${m.kind}, ${m.direction} is better${setting})`);
    out.push(
      table([
        ['variant', 'assigned', 'exposed', 'value'],
        ...m.variants.map((v) => [v.variantKey, String(v.assigned), String(v.n), num(v.value)]),
      ]).trimEnd(),
    );
    for (const c of m.comparisons) {
      const read =
        c.guardrail !== null
          ? `guardrail ${c.guardrail}`
          : c.passesThreshold !== null
            ? c.passesThreshold
              ? 'passes the minimum effect'
              : 'below the minimum effect'
            : '';
      const ci = c.ci ? `[${num(c.ci[0])}, ${num(c.ci[1])}]` : '-';
      out.push(
        `  ${c.variantKey} vs ${c.controlKey}: ${c.outcome}; effect ${num(c.effect)} ${ci} (${pct(
          c.relativeLift,
        )} relative), p ${num(c.pValue, 3)}${read ? `; ${read}` : ''}`,
      );
      if (c.bayesian)
        out.push(
          `    Bayesian readout: chance to beat ${c.controlKey} ${chance(
            c.bayesian.chanceToBeatControl,
          )}, expected loss ${num(c.bayesian.expectedLossTreatment)} (shipping) / ${num(
            c.bayesian.expectedLossControl,
          )} (keeping ${c.controlKey})`,
        );
    }
  }
  out.push('');
  out.push(
    `Verdict now: ${report.verdict.verdict}${report.verdict.winner ? ` (winner ${report.verdict.winner})` : ''} - ${report.verdict.reason}`,
  );
  if (report.power) {
    const p = report.power;
    out.push(
      `Power (${p.metric}): ${p.requiredPerVariant} users per variant detect ${num(
        p.minimumDetectableEffect,
      )} on a baseline of ${num(p.baseline)} (variance ${num(p.variance)}) at alpha ${num(
        p.alpha,
      )} with power ${round(p.power * 100)}%; ${p.usersPerVariantSoFar} so far, ${num(
        p.usersPerVariantPerDay,
      )} per day: ${
        p.remainingPerVariant === 0
          ? 'enough users already'
          : p.days === null
            ? 'no traffic, no estimate'
            : `about ${round(p.days, 3)} more days`
      }.`,
    );
  }
  if (report.powerNote) out.push(report.powerNote);
  out.push(
    'The Bayesian readout (flat priors, normal approximation) is a readout, not a stopping rule.',
  );
  return `${out.join('\n')}\n`;
}

export const metricsStatsCommand: CommandSpec = {
  name: 'metrics stats',
  summary:
    "Print an experiment's per-variant metric statistics, the verdict, the Bayesian readout and power.",
  positionals: [EXPERIMENT_ARGUMENT],
  options: {
    at: {
      type: 'string',
      value: '<time>',
      description: 'Evaluation time (ISO 8601). Default: now.',
    },
    metric: {
      type: 'string',
      multiple: true,
      value: '<name>',
      description: 'Also show a metric outside the plan (monitored, not part of the verdict).',
    },
    mde: {
      type: 'string',
      value: '<number>',
      description:
        'Absolute effect to size for. Default: the primary minimum effect (relative: of the baseline).',
    },
    power: {
      type: 'string',
      value: '<0-1>',
      description: 'Wanted power of the sample size. Default 0.8.',
    },
    ...CONNECTION_OPTIONS,
    ...JSON_OPTION,
  },
  notes: [
    'Reads only (nothing is logged or concluded) with the service role, on exact statistics: the\n' +
      'verdict is what governance would decide now with the default settings, on its thresholded\n' +
      'factors and the metric plan (`factoredui govern` decides on the released factor statistics).\n' +
      'Keep the output private to the team: metric statistics are not released to users.',
    CONNECTION_NOTE,
  ],
  async run(io, args) {
    const command = 'metrics stats';
    const at = timeOption(args, 'at', command) ?? new Date().toISOString();
    const mde = numberOption(args, 'mde', command, (n) => n > 0, 'a number > 0');
    const power =
      numberOption(args, 'power', command, (n) => n > 0 && n < 1, 'a number between 0 and 1') ??
      0.8;
    const monitored = listOption(args, 'metric');
    await withStore(io, args, async ({ store }) => {
      const report = await statsReport(store, args.positionals[0] ?? '', {
        at,
        monitored,
        mde,
        power,
      });
      io.stdout(args.values.json ? `${JSON.stringify(report, null, 2)}\n` : formatStats(report));
    });
  },
};

export const metricsCommand: CommandSpec = {
  name: 'metrics',
  summary: 'Define metrics, set experiment metric plans, print metric statistics and power.',
  positionals: [],
  options: {},
  subcommands: [
    metricsDefineCommand,
    metricsListCommand,
    metricsPlanCommand,
    metricsSetPlanCommand,
    metricsStatsCommand,
  ],
  notes: ['Metrics and metric plans are service-role data: these commands connect like `govern`.'],
  async run() {
    throw new CliError('Give a subcommand.', { exitCode: 2, command: 'metrics' });
  },
};
