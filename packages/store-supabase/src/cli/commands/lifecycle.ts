import type { UserDataCounts } from '@factoredui/core';
import { CliError, type CommandSpec, stringOption, timeOption } from '../args.js';
import { CONNECTION_NOTE, CONNECTION_OPTIONS, withStore } from '../connect.js';

const USER_ARGUMENT = [
  {
    name: 'user',
    required: true,
    description: 'The user id, as stored in user_id (on Supabase: the auth user UUID).',
  },
] as const;

/** `1 sessions, 120 events, ...`: every count, in table order. */
function describeCounts(counts: UserDataCounts): string {
  return Object.entries(counts)
    .map(([table, n]) => `${n} ${table}`)
    .join(', ');
}

export const eraseCommand: CommandSpec = {
  name: 'erase',
  summary:
    "Erase one user's data (events, sessions, factors, snapshots, cluster, assignments, exposures) and log it without the id.",
  positionals: [{ ...USER_ARGUMENT[0], required: false }],
  options: {
    requested: {
      type: 'boolean',
      description:
        'Instead of one <user>: erase every user who asked (requestErasure / request_erasure()), oldest first.',
    },
    ...CONNECTION_OPTIONS,
    json: { type: 'boolean', description: 'Print the audit entry as JSON.' },
  },
  notes: [
    'Irreversible. Export first if the user asked for a copy:\n  factoredui export <user> > user.json && factoredui erase <user>',
    'The audit entry names the user only by a salted SHA-256 hash; `listErasures({ userId })` on a service store finds it again.',
    'Users ask with `store.requestErasure()` (Supabase: `select factoredui.request_erasure()` as the signed-in user); schedule `factoredui erase --requested` to carry the requests out.',
    CONNECTION_NOTE,
  ],
  async run(io, args) {
    const userId = args.positionals[0];
    if ((userId === undefined) === !args.values.requested) {
      throw new CliError('Give either a <user> or --requested (not both).', {
        exitCode: 2,
        command: 'erase',
      });
    }
    if (userId === undefined) {
      await withStore(io, args, async ({ store, describe }) => {
        const records = await store.processErasureRequests();
        if (args.values.json) {
          io.stdout(`${JSON.stringify(records)}\n`);
          return;
        }
        io.stdout(
          `Erased ${records.length} user${records.length === 1 ? '' : 's'} who asked, on ${describe}.\n` +
            records
              .map(
                (r) => `  ${r.id} (subject hash ${r.subjectHash}): ${describeCounts(r.counts)}\n`,
              )
              .join(''),
        );
      });
      return;
    }
    await withStore(io, args, async ({ store, describe }) => {
      const record = await store.eraseUser(userId);
      if (args.values.json) {
        io.stdout(`${JSON.stringify(record)}\n`);
        return;
      }
      io.stdout(
        `Erased on ${describe}: ${describeCounts(record.counts)}.\n` +
          `Audit entry ${record.id} at ${record.erasedAt} (subject hash ${record.subjectHash}).\n`,
      );
    });
  },
};

export const exportCommand: CommandSpec = {
  name: 'export',
  summary: 'Print everything stored about one user as JSON (for an access request).',
  positionals: USER_ARGUMENT,
  options: { ...CONNECTION_OPTIONS },
  notes: [
    'Writes one JSON document to standard output:\n  factoredui export <user> > user.json',
    CONNECTION_NOTE,
  ],
  async run(io, args) {
    const userId = args.positionals[0] ?? '';
    await withStore(io, args, async ({ store }) => {
      io.stdout(`${JSON.stringify(await store.exportUser(userId), null, 2)}\n`);
    });
  },
};

export const pruneCommand: CommandSpec = {
  name: 'prune',
  summary:
    'Remove raw events older than the retention (and sessions left empty); factors and snapshots are kept.',
  positionals: [],
  options: {
    days: {
      type: 'string',
      value: '<days>',
      description:
        'Retention in days. Default: the configured one (select factoredui.set_retention_days(90)).',
    },
    'as-of': {
      type: 'string',
      value: '<time>',
      description: 'Count the retention back from this time (ISO 8601). Default: now.',
    },
    ...CONNECTION_OPTIONS,
    json: { type: 'boolean', description: 'Print the counts as JSON.' },
  },
  notes: [
    'Where pg_cron exists the migrations schedule the same pruning daily (job factoredui-prune), once a retention is set.',
    CONNECTION_NOTE,
  ],
  async run(io, args) {
    const asOf = timeOption(args, 'as-of', 'prune');
    const daysText = stringOption(args, 'days');
    let retentionDays: number | undefined;
    if (daysText !== undefined) {
      retentionDays = Number(daysText);
      if (!/^\d+$/.test(daysText) || retentionDays < 1 || retentionDays > 1_000_000) {
        throw new CliError(`--days ${daysText} must be a whole number of days from 1 to 1000000.`, {
          exitCode: 2,
          command: 'prune',
        });
      }
    }
    await withStore(io, args, async ({ store, describe }) => {
      const result = await store.pruneEvents({
        ...(asOf !== undefined ? { asOf } : {}),
        ...(retentionDays !== undefined ? { retentionDays } : {}),
      });
      if (args.values.json) {
        io.stdout(`${JSON.stringify(result)}\n`);
        return;
      }
      io.stdout(
        `Pruned on ${describe}: ${result.events} events and ${result.sessions} sessions before ${result.cutoff} (retention ${result.retentionDays} days).\n`,
      );
    });
  },
};
