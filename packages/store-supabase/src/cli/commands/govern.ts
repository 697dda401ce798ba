import { runGovernanceSweep } from '@factoredui/core';
import { CliError, type CommandSpec, timeOption } from '../args.js';
import { CONNECTION_NOTE, CONNECTION_OPTIONS, withStore } from '../connect.js';

export const governCommand: CommandSpec = {
  name: 'govern',
  summary:
    'Run the governance sweep: evaluate every running experiment and append verdicts to the log.',
  positionals: [],
  options: {
    at: {
      type: 'string',
      value: '<time>',
      description: 'Evaluation time (ISO 8601). Default: now.',
    },
    'no-conclude': {
      type: 'boolean',
      description: 'Log verdicts but do not conclude winning experiments.',
    },
    ...CONNECTION_OPTIONS,
    json: { type: 'boolean', description: 'Print the sweep result as JSON.' },
  },
  notes: ['Exits with status 1 when any experiment could not be evaluated.', CONNECTION_NOTE],
  async run(io, args) {
    const at = timeOption(args, 'at', 'govern');
    await withStore(io, args, async ({ store, describe }) => {
      const sweep = await runGovernanceSweep(store, {
        ...(at !== undefined ? { at } : {}),
        autoConclude: args.values['no-conclude'] !== true,
      });
      if (args.values.json) {
        io.stdout(
          `${JSON.stringify(
            {
              evaluatedAt: sweep.evaluatedAt,
              results: sweep.results.map((r) => ({
                experimentId: r.experiment.id,
                experimentName: r.experiment.name,
                verdict: r.entry.verdict,
                winner: r.entry.winner,
                reason: r.entry.reason,
                concluded: r.concluded,
              })),
              failures: sweep.failures.map((f) => ({
                experimentId: f.experimentId,
                experimentName: f.experimentName,
                code: f.error.code,
                message: f.error.message,
              })),
            },
            null,
            2,
          )}\n`,
        );
      } else {
        io.stdout(
          `Governance sweep at ${sweep.evaluatedAt} on ${describe}: ${sweep.results.length} experiment(s) evaluated.\n`,
        );
        for (const r of sweep.results) {
          const winner = r.entry.winner ? ` winner=${r.entry.winner}` : '';
          io.stdout(
            `  ${r.experiment.name}: ${r.entry.verdict}${winner}${r.concluded ? ' (concluded)' : ''} - ${r.entry.reason}\n`,
          );
        }
      }
      for (const f of sweep.failures) {
        io.stderr(`  ${f.experimentName}: failed [${f.error.code}] ${f.error.message}\n`);
      }
      if (sweep.failures.length > 0) {
        throw new CliError(`${sweep.failures.length} experiment(s) could not be evaluated.`);
      }
    });
  },
};
