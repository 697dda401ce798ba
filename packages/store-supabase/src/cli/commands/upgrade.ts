import {
  planUpgradeFrom051,
  type UpgradeStepReport,
  upgradeFrom051,
} from '../../upgrade/from-051.js';
import { CliError, type CommandSpec } from '../args.js';
import { CONNECTION_OPTIONS, databaseUrlOf, openDatabase } from '../connect.js';

/** The per-table report printed by `factoredui upgrade`. */
export function formatUpgradeReport(steps: readonly UpgradeStepReport[]): string {
  const head = `  ${'0.5.1 table'.padEnd(24)}${'rows'.padStart(7)}${'present'.padStart(9)}${'moved'.padStart(7)}${'skipped'.padStart(9)}${'gone'.padStart(6)}  into`;
  const lines = [head];
  for (const s of steps) {
    lines.push(
      `  ${s.step.padEnd(24)}${String(s.legacyRows).padStart(7)}${String(s.present).padStart(9)}${String(s.moved).padStart(7)}${String(s.skipped).padStart(9)}${String(s.gone).padStart(6)}  ${s.target ?? '(kept in factoredui_051 only)'}`,
    );
    for (const [reason, n] of Object.entries(s.reasons))
      lines.push(`      ${n} skipped: ${reason}`);
  }
  return `${lines.join('\n')}\n`;
}

export const upgradeCommand: CommandSpec = {
  name: 'upgrade',
  summary:
    'Upgrade a FactoredUI 0.5.1 database: keep its schema as factoredui_051, move its data (--dry-run: report only).',
  positionals: [],
  options: {
    ...CONNECTION_OPTIONS,
    'dry-run': {
      type: 'boolean',
      description:
        'Report per table what would move and what cannot (and why), changing nothing (everything runs in a transaction that is rolled back).',
    },
    bootstrap: {
      type: 'boolean',
      description: 'As for migrate: plain PostgreSQL and PGlite only, never on Supabase.',
    },
  },
  notes: [
    'Every 0.5.1 row is accounted for: rows = present + moved + skipped + gone. Rows keep their ids,\n' +
      'so running it again moves nothing; an interrupted run resumes. The 0.5.1 tables are never\n' +
      'dropped. On Supabase, `supabase db push` of the shipped migrations does the same move;\n' +
      'run `factoredui upgrade --dry-run` against the database URL first to see the report.',
  ],
  async run(io, args) {
    const databaseUrl = databaseUrlOf(io, args);
    if (!databaseUrl) {
      throw new CliError(
        'upgrade needs a direct database connection: pass --database-url or set DATABASE_URL (the owner role, e.g. postgres).',
        { exitCode: 2, command: 'upgrade' },
      );
    }
    const bootstrap = args.values.bootstrap === true;
    const db = await openDatabase(databaseUrl);
    try {
      if (args.values['dry-run'] === true) {
        const plan = await planUpgradeFrom051(db.sql, { bootstrap });
        if (plan.legacySchema === null) {
          io.stdout(`${db.describe} holds no FactoredUI 0.5.1 schema: nothing to upgrade.\n`);
          return;
        }
        io.stdout(
          `Dry run on ${db.describe} (nothing was changed). ${plan.pendingMigrations.length} migration(s) to apply; the 0.5.1 data ${
            plan.legacySchema === 'factoredui'
              ? 'in schema factoredui (to be renamed factoredui_051)'
              : 'in schema factoredui_051'
          }:\n`,
        );
        io.stdout(formatUpgradeReport(plan.steps));
        return;
      }
      const result = await upgradeFrom051(db.sql, { bootstrap });
      for (const name of result.applied) io.stdout(`  applied     ${name}\n`);
      if (result.steps.length === 0) {
        io.stdout(`${db.describe} holds no FactoredUI 0.5.1 schema: migrations only.\n`);
        return;
      }
      io.stdout(`Upgraded ${db.describe} from 0.5.1 (what the upgrade moved):\n`);
      io.stdout(formatUpgradeReport(result.recorded));
      const now = result.steps.reduce((n, s) => n + s.moved, 0);
      io.stdout(
        now === 0
          ? 'Checked again: nothing left to move.\n'
          : `This run resumed an interrupted upgrade and moved ${now} more row(s).\n`,
      );
    } finally {
      await db.close();
    }
  },
};
