import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { readMigrations } from '../../postgres/migrate.js';
import { CliError, type CommandSpec, stringOption } from '../args.js';

export const initCommand: CommandSpec = {
  name: 'init',
  summary:
    "Copy the factoredui SQL migrations into the project's supabase/migrations (never overwrites).",
  positionals: [],
  options: {
    dir: {
      type: 'string',
      value: '<path>',
      description: 'Project directory that holds (or will hold) supabase/. Default: current.',
    },
  },
  notes: [
    'Files that already exist are left untouched (a changed one is reported), so running init again after an upgrade only adds the new migrations.',
  ],
  async run(io, args) {
    const projectDir = resolve(io.cwd, stringOption(args, 'dir') ?? '.');
    const info = await stat(projectDir).catch(() => undefined);
    if (!info?.isDirectory()) {
      throw new CliError(`--dir ${projectDir} is not an existing directory.`, {
        exitCode: 2,
        command: 'init',
      });
    }
    const migrations = readMigrations();
    const target = join(projectDir, 'supabase', 'migrations');
    await mkdir(target, { recursive: true });
    const shown = relative(io.cwd, target) || '.';
    let copied = 0;
    for (const { name, sql } of migrations) {
      const to = join(target, name);
      if (existsSync(to)) {
        const same = (await readFile(to, 'utf8')) === sql;
        io.stdout(
          same
            ? `  up to date  ${join(shown, name)}\n`
            : `  kept        ${join(shown, name)} (differs from the shipped version; not overwritten)\n`,
        );
        continue;
      }
      // Flag `wx`: never overwrite, even if the file appeared since the check above.
      await writeFile(to, sql, { flag: 'wx' });
      copied += 1;
      io.stdout(`  created     ${join(shown, name)}\n`);
    }
    io.stdout(
      [
        '',
        `${copied} migration${copied === 1 ? '' : 's'} copied to ${shown}.`,
        '',
        'Next steps:',
        '  1. Apply them: `supabase db push` (or `supabase migration up` locally).',
        '  2. Expose the schema to the API: add "factoredui" to `schemas` under [api] in',
        '     supabase/config.toml (hosted: Project Settings -> API -> Exposed schemas).',
        '  3. In the app: createSupabaseStore(supabase) from @factoredui/store-supabase.',
        '  4. Sign specs with `factoredui keygen` / `factoredui sign`, publish with',
        '     `factoredui publish`, and schedule `factoredui refresh` and `factoredui govern`.',
        '',
      ].join('\n'),
    );
  },
};
