import { CliError, type CommandSpec, stringOption, timeOption } from '../args.js';
import { CONNECTION_NOTE, CONNECTION_OPTIONS, withStore } from '../connect.js';

const DAY_MS = 86_400_000;

export const refreshCommand: CommandSpec = {
  name: 'refresh',
  summary:
    'Recompute every factor as of a time, snapshot the values, and release the statistics user stores read.',
  positionals: [],
  options: {
    'as-of': {
      type: 'string',
      value: '<time>',
      description: 'Compute as of this time (ISO 8601). Default: now.',
    },
    'window-days': {
      type: 'string',
      value: '<days>',
      description: 'Factor window in days. Default: 7.',
    },
    'no-snapshot': {
      type: 'boolean',
      description: 'Recompute only; do not take a snapshot (nor release statistics).',
    },
    ...CONNECTION_OPTIONS,
    json: { type: 'boolean', description: 'Print the counts as JSON.' },
  },
  notes: [
    'Schedule it (cron, pg_cron, CI) so governance sees fresh snapshots, e.g. hourly:\n  factoredui refresh && factoredui govern',
    CONNECTION_NOTE,
  ],
  async run(io, args) {
    const asOf = timeOption(args, 'as-of', 'refresh') ?? new Date().toISOString();
    const windowDays = stringOption(args, 'window-days');
    let windowMs: number | undefined;
    if (windowDays !== undefined) {
      const days = Number(windowDays);
      if (!Number.isFinite(days) || days <= 0 || days > 3660) {
        throw new CliError(
          `--window-days ${windowDays} must be a number of days between 0 and 3660.`,
          {
            exitCode: 2,
            command: 'refresh',
          },
        );
      }
      windowMs = Math.round(days * DAY_MS);
    }
    await withStore(io, args, async ({ store, describe }) => {
      const recomputed = await store.recomputeFactors(
        windowMs === undefined ? { asOf } : { asOf, windowMs },
      );
      const snapshot = args.values['no-snapshot'] ? null : await store.snapshotFactors({ asOf });
      // Non-service roles read only released statistics (DESIGN §15): release with the snapshot.
      const release = snapshot ? await store.releaseStatistics({ at: asOf }) : null;
      if (args.values.json) {
        io.stdout(
          `${JSON.stringify({
            asOf,
            ...recomputed,
            snapshotValues: snapshot?.values ?? null,
            released: release?.released ?? null,
            releasedAggregates: release?.aggregates ?? null,
          })}\n`,
        );
        return;
      }
      io.stdout(
        `Recomputed ${recomputed.values} factor values for ${recomputed.users} users as of ${asOf} on ${describe}.\n` +
          (snapshot
            ? `Snapshot taken at ${asOf}: ${snapshot.values} values; statistics released for ${release?.released ?? 0} (experiment, factor) pairs and ${release?.aggregates ?? 0} component aggregates.\n`
            : 'No snapshot taken (--no-snapshot).\n'),
      );
    });
  },
};
