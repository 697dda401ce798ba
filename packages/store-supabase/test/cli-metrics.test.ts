import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import {
  analyzeMetric,
  createExperiment,
  type Experiment,
  type FactoredEvent,
  type FactoredStore,
  metricSummary,
  resolveGovernanceSettings,
  sampleSizePerVariant,
  startExperiment,
} from '@factoredui/core';
import { testUuid } from '@factoredui/core/testing';
import { createPostgresStore } from '@factoredui/store-supabase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgliteFromSnapshot } from './harness/pglite-snapshot.js';
import { type PostgrestServer, startPostgrestServer } from './support/postgrest.js';
import { runBuiltCli } from './support/postgrest-cli.js';
import { createMigratedPglite } from './support/postgrest-db.js';

// Every test runs the installed bin (bin/factoredui.js, which runs the built dist/cli.js) in a
// child process, against an on-disk PGlite database unpacked from the migrated snapshot.

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'factoredui-cli-metrics-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A project folder with its own migrated database at `<dir>/db`. */
async function projectWithDatabase(name: string) {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  const db = await pgliteFromSnapshot('migrated', join(dir, 'db'));
  await db.close();
  return { dir, url: `pglite://${join(dir, 'db')}` };
}

/** Opens the project's database, runs `fn` on a service store, closes it (the CLI needs it). */
async function withPglite<T>(dir: string, fn: (store: FactoredStore) => Promise<T>): Promise<T> {
  const db = new PGlite(join(dir, 'db'));
  try {
    return await fn(createPostgresStore(db, { as: 'service' }));
  } finally {
    await db.close();
  }
}

async function cli(dir: string, url: string, args: readonly string[]) {
  return runBuiltCli([...args, '--database-url', url], { cwd: dir });
}

const CONVERSION = {
  name: 'checkout-conversion',
  kind: 'conversion',
  direction: 'higher',
  event: 'purchase',
  path: 'shop/checkout',
  windowMs: 7 * 86_400_000,
} as const;

const ERRORS = { name: 'errors', kind: 'count', direction: 'lower', event: 'app_error' } as const;

async function runningExperiment(store: FactoredStore, name = 'checkout-copy') {
  const created = await createExperiment(store, {
    name,
    path: 'shop/checkout/pay',
    variants: [
      { key: 'control', weight: 50 },
      { key: 'treatment', weight: 50 },
    ],
  });
  return startExperiment(store, created.id);
}

describe('factoredui metrics: help and usage', () => {
  it('lists metrics among the commands and its subcommands with --help', async () => {
    const main = await runBuiltCli(['--help'], { cwd: work });
    expect(main.code).toBe(0);
    expect(main.stdout).toContain('  metrics ');
    const group = await runBuiltCli(['metrics', '--help'], { cwd: work });
    expect(group.code).toBe(0);
    for (const sub of ['define', 'list', 'plan', 'set-plan', 'stats'])
      expect(group.stdout).toContain(`  ${sub} `);
    expect(await runBuiltCli(['help', 'metrics'], { cwd: work })).toMatchObject({ code: 0 });
  });

  it('prints every subcommand help with its options and exits 0', async () => {
    for (const [sub, option] of [
      ['define', '--window <duration>'],
      ['list', '--all-versions'],
      ['plan', '--json'],
      ['set-plan', '(repeatable)'],
      ['stats', '--mde <number>'],
    ] as const) {
      const run = await runBuiltCli(['metrics', sub, '--help'], { cwd: work });
      expect(run.code, sub).toBe(0);
      expect(run.stdout).toContain(`Usage: factoredui metrics ${sub}`);
      expect(run.stdout).toContain(option);
      expect(run.stdout).toContain('--database-url <url>');
    }
    const viaHelp = await runBuiltCli(['help', 'metrics', 'stats'], { cwd: work });
    expect(viaHelp.stdout).toContain('Usage: factoredui metrics stats <experiment>');
  });

  it('exits 2 without a subcommand, for an unknown one, and for bad arguments, pointing to --help', async () => {
    const none = await runBuiltCli(['metrics'], { cwd: work });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Subcommands:');
    const unknown = await runBuiltCli(['metrics', 'drop'], { cwd: work });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown subcommand "drop"');
    const option = await runBuiltCli(['metrics', 'list', '--bogus'], { cwd: work });
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("Unknown option '--bogus'");
    expect(option.stderr).toContain('Run `factoredui metrics list --help` for usage.');
    const missing = await runBuiltCli(['metrics', 'stats'], { cwd: work });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Missing argument <experiment>');
    const noDb = await runBuiltCli(['metrics', 'list'], { cwd: work });
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toContain('No database to connect to');
  });
});

describe('factoredui metrics define and list (pglite://)', () => {
  it('defines from flags: version 1, the same definition keeps it, a change stores version 2', async () => {
    const { dir, url } = await projectWithDatabase('define-flags');
    const flags = [
      'metrics',
      'define',
      '--name',
      'checkout-conversion',
      '--kind',
      'conversion',
      '--direction',
      'higher',
      '--event',
      'purchase',
      '--path',
      'shop/checkout',
    ];
    const first = await cli(dir, url, [...flags, '--window', '7d']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(
      'checkout-conversion version 1 (new): conversion purchase on shop/checkout',
    );
    const again = await cli(dir, url, [...flags, '--window', '168h']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('checkout-conversion version 1 (unchanged');
    const changed = await cli(dir, url, [...flags, '--window', '1d', '--json']);
    expect(changed.code).toBe(0);
    const [result] = JSON.parse(changed.stdout) as {
      metric: { version: number; windowMs: number };
      outcome: string;
    }[];
    expect(result).toMatchObject({
      outcome: 'changed',
      metric: { version: 2, windowMs: 86_400_000 },
    });
    await withPglite(dir, async (store) => {
      const versions = await store.listMetrics({ name: 'checkout-conversion', allVersions: true });
      expect(versions.map((m) => [m.version, m.windowMs])).toEqual([
        [1, 7 * 86_400_000],
        [2, 86_400_000],
      ]);
    });
    const list = await cli(dir, url, ['metrics', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/checkout-conversion\s+2\s+conversion\s+higher\s+1d\s+-/);
    const all = await cli(dir, url, ['metrics', 'list', '--all-versions', '--json']);
    expect((JSON.parse(all.stdout) as { version: number }[]).map((m) => m.version)).toEqual([1, 2]);
    const unknown = await cli(dir, url, ['metrics', 'list', '--name', 'nope']);
    expect(unknown.stdout).toContain('No metric named nope');
  });

  it('defines a ratio from flags and an array of definitions from a file', async () => {
    const { dir, url } = await projectWithDatabase('define-file');
    const ratio = await cli(dir, url, [
      'metrics',
      'define',
      '--name',
      'revenue-per-checkout',
      '--kind',
      'ratio',
      '--direction',
      'higher',
      '--numerator',
      '{"kind":"sum","event":"purchase","property":"revenue"}',
      '--denominator',
      '{"kind":"count","event":"checkout_start"}',
      '--cap',
      '500',
    ]);
    expect(ratio.stderr).toBe('');
    expect(ratio.stdout).toContain(
      'revenue-per-checkout version 1 (new): ratio sum(purchase.revenue) / count(checkout_start)',
    );
    await writeFile(join(dir, 'metrics.json'), JSON.stringify([CONVERSION, ERRORS]));
    const file = await cli(dir, url, ['metrics', 'define', 'metrics.json']);
    expect(file.code).toBe(0);
    expect(file.stdout).toContain('checkout-conversion version 1 (new)');
    expect(file.stdout).toContain('errors version 1 (new): count app_error, lower is better');
    const list = await cli(dir, url, ['metrics', 'list', '--json']);
    expect((JSON.parse(list.stdout) as { name: string }[]).map((m) => m.name)).toEqual([
      'checkout-conversion',
      'errors',
      'revenue-per-checkout',
    ]);
    const table = await cli(dir, url, ['metrics', 'list']);
    expect(table.stdout).toMatch(/revenue-per-checkout\s+1\s+ratio\s+higher\s+-\s+500/);
  });

  it('refuses bad definitions and stores nothing, with exit 1 for bad data and 2 for bad usage', async () => {
    const { dir, url } = await projectWithDatabase('define-bad');
    const badKind = await cli(dir, url, [
      'metrics',
      'define',
      '--name',
      'x',
      '--kind',
      'median',
      '--direction',
      'higher',
      '--event',
      'purchase',
    ]);
    expect(badKind.code).toBe(1);
    expect(badKind.stderr).toMatch(/^factoredui metrics define: \[invalid_input\] .*kind/);
    // One bad definition in a file: nothing of the file is stored.
    await writeFile(
      join(dir, 'mixed.json'),
      JSON.stringify([CONVERSION, { ...ERRORS, direction: 'sideways' }]),
    );
    const mixed = await cli(dir, url, ['metrics', 'define', 'mixed.json']);
    expect(mixed.code).toBe(1);
    expect(mixed.stderr).toContain('(definition 2)');
    await writeFile(join(dir, 'twice.json'), JSON.stringify([CONVERSION, CONVERSION]));
    const twice = await cli(dir, url, ['metrics', 'define', 'twice.json']);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('metric checkout-conversion is defined twice');
    await writeFile(join(dir, 'broken.json'), '{ "name": ');
    const broken = await cli(dir, url, ['metrics', 'define', 'broken.json']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('is not valid JSON');
    const absent = await cli(dir, url, ['metrics', 'define', 'absent.json']);
    expect(absent.code).toBe(1);
    expect(absent.stderr).toContain('does not exist');
    await withPglite(dir, async (store) => expect(await store.listMetrics()).toEqual([]));

    for (const [args, message] of [
      [['mixed.json', '--name', 'x'], 'not both'],
      [['--kind', 'count'], 'Give a definition file or --name'],
      [['--name', 'x', '--kind', 'count'], 'Missing option --direction'],
      [['--name', 'x', '--direction', 'higher'], 'Missing option --kind'],
      [
        ['--name', 'x', '--kind', 'sum', '--direction', 'higher', '--window', 'soon'],
        '--window "soon" must be a positive duration',
      ],
      [
        ['--name', 'x', '--kind', 'sum', '--direction', 'higher', '--window', '0d'],
        '--window "0d"',
      ],
      [
        ['--name', 'x', '--kind', 'sum', '--direction', 'higher', '--cap=-1'],
        '--cap "-1" must be a number >= 0',
      ],
      [
        ['--name', 'x', '--kind', 'sum', '--direction', 'higher', '--numerator', '{kind'],
        '--numerator must be JSON',
      ],
    ] as const) {
      const run = await cli(dir, url, ['metrics', 'define', ...args]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toContain(message);
      expect(run.stderr).toContain('factoredui metrics define --help');
    }
  });
});

describe('factoredui metrics plan and set-plan (pglite://)', () => {
  it('sets a plan from flags (repeatable guardrails), shows it, replaces it from a file', async () => {
    const { dir, url } = await projectWithDatabase('plan');
    const experiment = await withPglite(dir, async (store) => {
      await store.defineMetric(CONVERSION);
      await store.defineMetric(ERRORS);
      return runningExperiment(store);
    });
    const none = await cli(dir, url, ['metrics', 'plan', 'checkout-copy']);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('checkout-copy has no metric plan');

    const set = await cli(dir, url, [
      'metrics',
      'set-plan',
      'checkout-copy',
      '--primary',
      'checkout-conversion@1',
      '--min-effect',
      '0.02',
      '--guardrail',
      'errors:0.05',
      '--guardrail',
      'order-value@2:1.5:absolute',
    ]);
    expect(set.code).toBe(0);
    expect(set.stdout).toContain(
      'primary:   checkout-conversion version 1, minimum effect 0.02 absolute',
    );
    expect(set.stdout).toContain('guardrail: errors (latest version), margin 5% relative');
    expect(set.stdout).toContain('guardrail: order-value version 2, margin 1.5 absolute');
    // A plan may name a metric defined later, but the CLI says so.
    expect(set.stderr).toContain('warning: metric order-value@2 of the plan is not defined');
    const expected = {
      primary: { metric: 'checkout-conversion', version: 1, minimumEffect: 0.02 },
      guardrails: [
        { metric: 'errors', margin: 0.05 },
        { metric: 'order-value', version: 2, margin: 1.5, scale: 'absolute' },
      ],
    };
    await withPglite(dir, async (store) => {
      expect(await store.getMetricPlan(experiment.id)).toEqual(expected);
    });
    const shown = await cli(dir, url, ['metrics', 'plan', experiment.id, '--json']);
    expect(JSON.parse(shown.stdout)).toEqual({
      experimentId: experiment.id,
      experimentName: 'checkout-copy',
      plan: expected,
    });

    const plan = {
      primary: null,
      guardrails: [{ metric: 'errors', margin: 0.1, scale: 'relative' }],
    };
    await writeFile(join(dir, 'plan.json'), JSON.stringify(plan));
    const fromFile = await cli(dir, url, [
      'metrics',
      'set-plan',
      'checkout-copy',
      '--file',
      'plan.json',
    ]);
    expect(fromFile.stderr).toBe('');
    expect(fromFile.stdout).toContain('primary:   none (decided on the thresholded factors)');
    await withPglite(dir, async (store) => {
      expect(await store.getMetricPlan(experiment.id)).toEqual(plan);
    });
  });

  it('refuses bad plans (2 for bad flags, 1 for bad data), unknown and finished experiments', async () => {
    const { dir, url } = await projectWithDatabase('plan-bad');
    const experiment = await withPglite(dir, async (store) => {
      await store.defineMetric(CONVERSION);
      return runningExperiment(store);
    });
    for (const [args, message] of [
      [[], 'Give a plan file, --primary <metric>, or --no-primary'],
      [['--primary', 'a', '--no-primary'], 'not both'],
      [['--no-primary', '--min-effect', '0.1'], 'need a --primary metric'],
      [['--primary', 'a', '--min-effect=-0.1'], '--min-effect "-0.1" must be a number >= 0'],
      [['--primary', 'a', '--min-effect-scale', 'percent'], 'must be absolute or relative'],
      [['--primary', 'a@0'], 'the version must be a whole number from 1'],
      [['--no-primary', '--guardrail', 'errors'], '<metric>[@<version>]:<margin>[:<scale>]'],
      [['--no-primary', '--guardrail=errors:-1'], 'the margin must be a number >= 0'],
      [['--no-primary', '--guardrail', 'errors:0.1:huge'], 'must be absolute or relative'],
      [['--file', 'plan.json', '--no-primary'], 'Give --file or flags, not both'],
    ] as const) {
      const run = await cli(dir, url, ['metrics', 'set-plan', 'checkout-copy', ...args]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toContain(message);
    }
    await writeFile(
      join(dir, 'bad-plan.json'),
      JSON.stringify({ primary: { metric: 'x' }, guardrails: [{ metric: 'y' }] }),
    );
    const badFile = await cli(dir, url, [
      'metrics',
      'set-plan',
      'checkout-copy',
      '--file',
      'bad-plan.json',
    ]);
    expect(badFile.code).toBe(1);
    expect(badFile.stderr).toContain('[invalid_input] metric plan guardrails[0].margin');
    const unknown = await cli(dir, url, ['metrics', 'set-plan', 'no-such', '--no-primary']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('[not_found]');
    const unknownPlan = await cli(dir, url, ['metrics', 'plan', 'no-such']);
    expect(unknownPlan.code).toBe(1);
    expect(unknownPlan.stderr).toContain('[not_found]');
    await withPglite(dir, async (store) => {
      expect(await store.getMetricPlan(experiment.id)).toBeNull();
      await store.transitionExperiment(experiment.id, { from: 'running', to: 'stopped' });
    });
    const finished = await cli(dir, url, [
      'metrics',
      'set-plan',
      'checkout-copy',
      '--primary',
      'checkout-conversion',
    ]);
    expect(finished.code).toBe(1);
    expect(finished.stderr).toContain('[conflict]');
  });
});

/** Users per variant of the stats fixture. */
const USERS = 30;

/**
 * 30 users per variant, all exposed: 6 of control and 15 of treatment buy on shop/checkout;
 * control users have 0 or 1 errors, treatment users 2 or 3 (a breached guardrail); every user
 * visits the cart (`cart_view`), a metric outside the plan.
 */
async function seedStats(store: FactoredStore, base: number): Promise<Experiment> {
  await store.defineMetric(CONVERSION);
  await store.defineMetric(ERRORS);
  await store.defineMetric({
    name: 'cart-views',
    kind: 'count',
    direction: 'higher',
    event: 'cart_view',
  });
  const experiment = await runningExperiment(store);
  const events: FactoredEvent[] = [];
  const custom = (
    user: string,
    session: string,
    n: number,
    name: string,
    path: string,
    properties = {},
  ) =>
    events.push({
      id: testUuid(0xe7, events.length + 1),
      sessionId: session,
      userId: user,
      type: 'custom',
      path,
      payload: { name, properties },
      createdAt: new Date(base + 60_000 + n).toISOString(),
    });
  for (const [arm, variantKey] of ['control', 'treatment'].entries()) {
    for (let i = 0; i < USERS; i += 1) {
      const n = arm * USERS + i + 1;
      const userId = testUuid(0x05e4, n);
      const sessionId = testUuid(0x5e55, n);
      await store.recordAssignment({
        userId,
        experimentId: experiment.id,
        variantKey,
        assignedAt: new Date(base + n).toISOString(),
      });
      await store.recordExposure({
        userId,
        experimentId: experiment.id,
        variantKey,
        sessionId,
        exposedAt: new Date(base + 1000 + n).toISOString(),
      });
      await store.startSession({
        id: sessionId,
        userId,
        startedAt: new Date(base + 500 + n).toISOString(),
        metadata: { platform: 'web' },
      });
      if (i < (arm === 0 ? 6 : 15))
        custom(userId, sessionId, n, 'purchase', 'shop/checkout/pay', { revenue: 10 + i });
      const errors = arm === 0 ? i % 2 : 2 + (i % 2);
      for (let e = 0; e < errors; e += 1) custom(userId, sessionId, n, 'app_error', 'shop');
      custom(userId, sessionId, n, 'cart_view', 'shop/cart');
    }
  }
  await store.insertEvents(events);
  await store.setMetricPlan(experiment.id, {
    primary: { metric: 'checkout-conversion', minimumEffect: 0.1 },
    guardrails: [{ metric: 'errors', margin: 0.1, scale: 'absolute' }],
  });
  return experiment;
}

interface StatsJson {
  experimentName: string;
  evaluatedAt: string;
  alpha: number;
  assigned: Record<string, number>;
  metrics: {
    metric: string;
    role: string;
    variants: { variantKey: string; assigned: number; n: number; value: number | null }[];
    comparisons: Record<string, unknown>[];
  }[];
  verdict: { verdict: string; winner: string | null; reason: string };
  power: Record<string, number | string | null> | null;
  powerNote: string | null;
}

describe('factoredui metrics stats (pglite://)', () => {
  let dir: string;
  let url: string;
  let experiment: Experiment;
  const base = Date.now() - 3_600_000;
  const at = new Date(base + 86_400_000).toISOString();
  beforeAll(async () => {
    ({ dir, url } = await projectWithDatabase('stats'));
    experiment = await withPglite(dir, (store) => seedStats(store, base));
  });

  it('prints per-variant statistics, comparisons and the Bayesian readout exactly as core computes them', async () => {
    const run = await cli(dir, url, [
      'metrics',
      'stats',
      'checkout-copy',
      '--at',
      at,
      '--metric',
      'cart-views',
      '--json',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as StatsJson;
    expect(report.evaluatedAt).toBe(at);
    expect(report.assigned).toEqual({ control: USERS, treatment: USERS });
    // Two plan metrics, one treatment: Bonferroni over 2 comparisons.
    expect(report.alpha).toBe(0.025);
    expect(report.metrics.map((m) => [m.metric, m.role])).toEqual([
      ['checkout-conversion', 'primary'],
      ['errors', 'guardrail'],
      ['cart-views', 'monitored'],
    ]);
    const [conversion, errors, views] = report.metrics;
    expect(conversion?.variants).toEqual([
      { variantKey: 'control', assigned: USERS, n: USERS, value: 6 / USERS },
      { variantKey: 'treatment', assigned: USERS, n: USERS, value: 15 / USERS },
    ]);
    expect(views?.variants.map((v) => v.value)).toEqual([1, 1]);
    // Every comparison equals core's analysis of the store's statistics at the same level.
    const settings = resolveGovernanceSettings();
    await withPglite(dir, async (store) => {
      for (const m of report.metrics) {
        const [metric] = await store.listMetrics({ name: m.metric });
        const statistics = await store.getMetricStatistics({
          experimentId: experiment.id,
          metric: m.metric,
          at,
        });
        const expected = analyzeMetric(
          { metric: metric as never, statistics },
          ['control', 'treatment'],
          settings,
          0.025,
        );
        const [mine] = m.comparisons;
        const [theirs] = expected.comparisons;
        for (const key of [
          'effect',
          'standardError',
          'ci',
          'pValue',
          'relativeLift',
          'outcome',
          'bayesian',
        ] as const)
          expect(mine?.[key], `${m.metric} ${key}`).toEqual(theirs?.[key]);
      }
    });
    expect(conversion?.comparisons[0]).toMatchObject({ guardrail: null });
    expect(errors?.comparisons[0]).toMatchObject({
      outcome: 'regression',
      guardrail: 'breached',
      passesThreshold: null,
    });
    const bayes = conversion?.comparisons[0]?.bayesian as { chanceToBeatControl: number };
    expect(bayes.chanceToBeatControl).toBeGreaterThan(0.99);
    // The frequentist verdict: the breached guardrail flags the experiment for review.
    expect(report.verdict.verdict).toBe('flag_review');
    expect(report.verdict.reason).toContain('errors');
  });

  it('estimates power and days to a decision from control variance and observed traffic', async () => {
    const run = await cli(dir, url, ['metrics', 'stats', 'checkout-copy', '--at', at, '--json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as StatsJson;
    const variance = metricSummary({
      variantKey: 'control',
      assigned: USERS,
      n: USERS,
      sumY: 6,
      sumY2: 6,
      sumD: USERS,
      sumD2: USERS,
      sumYD: 6,
    }).variance;
    const required = sampleSizePerVariant(0.1, { variance, alpha: 0.025, power: 0.8 }).perVariant;
    const days = (Date.parse(at) - Date.parse(experiment.startedAt as string)) / 86_400_000;
    expect(report.power).toMatchObject({
      metric: 'checkout-conversion',
      baseline: 0.2,
      minimumDetectableEffect: 0.1,
      alpha: 0.025,
      power: 0.8,
      requiredPerVariant: required,
      usersPerVariantSoFar: USERS,
      remainingPerVariant: required - USERS,
    });
    expect(report.power?.variance).toBeCloseTo(variance, 12);
    expect(report.power?.days as number).toBeCloseTo((required - USERS) / (USERS / days), 6);
    // --mde and --power override the plan's minimum effect and the default power.
    const custom = await cli(dir, url, [
      'metrics',
      'stats',
      'checkout-copy',
      '--at',
      at,
      '--mde',
      '0.3',
      '--power',
      '0.9',
      '--json',
    ]);
    const customReport = JSON.parse(custom.stdout) as StatsJson;
    expect(customReport.power).toMatchObject({
      minimumDetectableEffect: 0.3,
      power: 0.9,
      requiredPerVariant: sampleSizePerVariant(0.3, { variance, alpha: 0.025, power: 0.9 })
        .perVariant,
    });
  });

  it('prints the same readout as text', async () => {
    const run = await cli(dir, url, ['metrics', 'stats', 'checkout-copy', '--at', at]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `checkout-copy (running) at ${at}: control 30, treatment 30 assigned.`,
    );
    expect(run.stdout).toContain('Intervals at 97.5%');
    expect(run.stdout).toContain(
      'primary checkout-conversion v1 (conversion, higher is better, minimum effect 0.1 absolute)',
    );
    expect(run.stdout).toMatch(/control\s+30\s+30\s+0\.2\n/);
    expect(run.stdout).toMatch(/treatment\s+30\s+30\s+0\.5\n/);
    expect(run.stdout).toContain(
      'guardrail errors v1 (count, lower is better, margin 0.1 absolute)',
    );
    expect(run.stdout).toMatch(/treatment vs control: regression; .*; guardrail breached/);
    expect(run.stdout).toMatch(/Bayesian readout: chance to beat control \d/);
    expect(run.stdout).toContain('Verdict now: flag_review');
    expect(run.stdout).toMatch(/Power \(checkout-conversion\): \d+ users per variant detect 0\.1/);
    expect(run.stdout).toContain('a readout, not a stopping rule');
  });

  it('says why there is no power estimate, and fails clearly on bad input', async () => {
    const { dir: other, url: otherUrl } = await projectWithDatabase('stats-draft');
    await withPglite(other, async (store) => {
      await createExperiment(store, {
        name: 'draft-copy',
        path: 'shop',
        variants: [
          { key: 'control', weight: 50 },
          { key: 'treatment', weight: 50 },
        ],
      });
    });
    const draft = await cli(other, otherUrl, ['metrics', 'stats', 'draft-copy', '--json']);
    expect(draft.code).toBe(0);
    expect(JSON.parse(draft.stdout)).toMatchObject({
      plan: null,
      metrics: [],
      power: null,
      powerNote: 'No primary metric: name one with --metric to size the experiment on it.',
    });
    for (const [args, code, message] of [
      [['checkout-copy', '--metric', 'nope'], 1, 'metric nope is not defined'],
      [['no-such-experiment'], 1, '[not_found]'],
      [['checkout-copy', '--at', 'yesterday'], 2, '--at "yesterday" is not a date'],
      [['checkout-copy', '--power', '1'], 2, '--power "1" must be a number between 0 and 1'],
      [['checkout-copy', '--mde', '0'], 2, '--mde "0" must be a number > 0'],
    ] as const) {
      const run = await cli(dir, url, ['metrics', 'stats', ...args]);
      expect(run.code, args.join(' ')).toBe(code);
      expect(run.stderr).toContain(message);
      expect(run.stdout).toBe('');
    }
  });
});

describe('factoredui metrics over the Supabase API (SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY)', () => {
  let db: PGlite;
  let server: PostgrestServer;
  beforeAll(async () => {
    db = await createMigratedPglite();
    server = await startPostgrestServer({ db });
  });
  afterAll(async () => {
    await server.close();
    await db.close();
  });

  it('defines, plans and reads statistics through supabase-js with the service-role key', async () => {
    const dir = join(work, 'supabase');
    await mkdir(dir, { recursive: true });
    const base = Date.now() - 3_600_000;
    const experiment = await seedStats(createPostgresStore(db, { as: 'service' }), base);
    const env = { SUPABASE_URL: server.url, SUPABASE_SERVICE_ROLE_KEY: server.serviceRoleKey };
    const define = await runBuiltCli(
      [
        'metrics',
        'define',
        '--name',
        'orders',
        '--kind',
        'count',
        '--direction',
        'higher',
        '--event',
        'purchase',
      ],
      { cwd: dir, env },
    );
    // (supabase-js itself may warn on stderr that Node 20 is deprecated; nothing of ours is there.)
    expect(define.stderr).not.toContain('factoredui');
    expect(define.code).toBe(0);
    expect(define.stdout).toContain(
      `orders version 1 (new): count purchase, higher is better, on Supabase ${server.url}`,
    );
    const plan = await runBuiltCli(
      [
        'metrics',
        'set-plan',
        'checkout-copy',
        '--primary',
        'orders',
        '--guardrail',
        'errors:0.1:absolute',
      ],
      { cwd: dir, env },
    );
    expect(plan.code).toBe(0);
    const stats = await runBuiltCli(
      [
        'metrics',
        'stats',
        experiment.id,
        '--at',
        new Date(base + 86_400_000).toISOString(),
        '--json',
      ],
      { cwd: dir, env },
    );
    expect(stats.code).toBe(0);
    const report = JSON.parse(stats.stdout) as StatsJson;
    expect(report.metrics.map((m) => [m.metric, m.variants.map((v) => v.value)])).toEqual([
      ['orders', [6 / USERS, 15 / USERS]],
      ['errors', [0.5, 2.5]],
    ]);
    expect(report.verdict.verdict).toBe('flag_review');
  });

  it('refuses a key that is not the service-role key: exit 1, no numbers printed', async () => {
    const dir = join(work, 'supabase-anon');
    await mkdir(dir, { recursive: true });
    const env = { SUPABASE_URL: server.url, SUPABASE_SERVICE_ROLE_KEY: server.anonKey };
    const define = await runBuiltCli(
      [
        'metrics',
        'define',
        '--name',
        'sneaky',
        '--kind',
        'count',
        '--direction',
        'higher',
        '--event',
        'purchase',
      ],
      { cwd: dir, env },
    );
    expect(define.code).toBe(1);
    expect(define.stderr).toContain('[unauthorized]');
    const stats = await runBuiltCli(['metrics', 'stats', 'checkout-copy', '--json'], {
      cwd: dir,
      env,
    });
    expect(stats.code).toBe(1);
    expect(stats.stdout).toBe('');
    expect(stats.stderr).toMatch(/factoredui metrics stats: \[(unauthorized|not_found)\]/);
  });
});
