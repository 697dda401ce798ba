import { migrate } from '../../postgres/migrate.js';
import { CliError, type CommandSpec } from '../args.js';
import { CONNECTION_OPTIONS, databaseUrlOf, openDatabase } from '../connect.js';

export const migrateCommand: CommandSpec = {
  name: 'migrate',
  summary:
    'Apply the shipped migrations to plain PostgreSQL or PGlite (on Supabase, use init + supabase db push).',
  positionals: [],
  options: {
    ...CONNECTION_OPTIONS,
    bootstrap: {
      type: 'boolean',
      description:
        'First create what Supabase already has (roles anon/authenticated/service_role, auth schema). Never on Supabase.',
    },
  },
  notes: [
    'Migrations already applied (recorded in factoredui.schema_migrations) are skipped. Connect as the\n' +
      'database owner. Needs a direct connection: --database-url or DATABASE_URL.',
  ],
  async run(io, args) {
    const databaseUrl = databaseUrlOf(io, args);
    if (!databaseUrl) {
      throw new CliError(
        'migrate needs a direct database connection: pass --database-url or set DATABASE_URL (the Supabase API cannot run migrations; use `factoredui init` and `supabase db push`).',
        { exitCode: 2, command: 'migrate' },
      );
    }
    const db = await openDatabase(databaseUrl);
    try {
      const applied = await migrate(db.sql, { bootstrap: args.values.bootstrap === true });
      for (const name of applied) io.stdout(`  applied     ${name}\n`);
      io.stdout(
        applied.length === 0
          ? `${db.describe} is up to date.\n`
          : `${applied.length} migration${applied.length === 1 ? '' : 's'} applied to ${db.describe}.\n`,
      );
    } finally {
      await db.close();
    }
  },
};
