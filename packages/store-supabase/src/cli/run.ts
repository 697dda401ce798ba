import { isFactoredError } from '@factoredui/core';
import { CliError, type CliIo, type CommandSpec, commandHelp, parseCommand } from './args.js';
import { convertSpecCommand } from './commands/convert-spec.js';
import { governCommand } from './commands/govern.js';
import { initCommand } from './commands/init.js';
import { keygenCommand } from './commands/keygen.js';
import { eraseCommand, exportCommand, pruneCommand } from './commands/lifecycle.js';
import { metricsCommand } from './commands/metrics.js';
import { migrateCommand } from './commands/migrate.js';
import { publishCommand } from './commands/publish.js';
import { refreshCommand } from './commands/refresh.js';
import { signCommand } from './commands/sign.js';
import { upgradeCommand } from './commands/upgrade.js';

/** Every subcommand of `factoredui`, in help order. */
export const COMMANDS: readonly CommandSpec[] = [
  initCommand,
  migrateCommand,
  upgradeCommand,
  keygenCommand,
  signCommand,
  convertSpecCommand,
  publishCommand,
  refreshCommand,
  governCommand,
  metricsCommand,
  exportCommand,
  eraseCommand,
  pruneCommand,
];

/** `factoredui help <command> [<subcommand>]`: the command (or subcommand) named. */
function helpTopic(words: readonly string[]): CommandSpec | undefined {
  const top = COMMANDS.find((c) => c.name === words[0]);
  const sub = top?.subcommands?.find((c) => c.name === `${top.name} ${words[1]}`);
  return sub ?? top;
}

function mainHelp(): string {
  const lines = [
    'Usage: factoredui <command> [options]',
    '',
    'FactoredUI on Supabase / PostgreSQL: migrations, spec signing and publishing, factor refresh, governance, metrics, data lifecycle.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(14)}${c.summary}`),
    '',
    'Run `factoredui <command> --help` for the options of a command.',
    '',
  ];
  return lines.join('\n');
}

/**
 * Runs the CLI with `argv` (the arguments after `factoredui`) and returns the exit status:
 * 0 on success, 1 when the command failed, 2 for a usage error. Never throws.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? helpTopic(rest) : undefined;
    if (name === undefined) {
      io.stderr(mainHelp());
      return 2;
    }
    io.stdout(topic ? commandHelp(topic) : mainHelp());
    return 0;
  }
  const top = COMMANDS.find((c) => c.name === name);
  if (!top) {
    io.stderr(`factoredui: unknown command "${name}".\n\n${mainHelp()}`);
    return 2;
  }
  let command = top;
  if (top.subcommands) {
    const [sub, ...subRest] = rest;
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
      if (sub === undefined) {
        io.stderr(commandHelp(top));
        return 2;
      }
      io.stdout(commandHelp(top));
      return 0;
    }
    const found = top.subcommands.find((c) => c.name === `${top.name} ${sub}`);
    if (!found) {
      io.stderr(`factoredui ${top.name}: unknown subcommand "${sub}".\n\n${commandHelp(top)}`);
      return 2;
    }
    command = found;
    rest.splice(0, rest.length, ...subRest);
  }
  try {
    const args = parseCommand(command, rest);
    if (args.values.help) {
      io.stdout(commandHelp(command));
      return 0;
    }
    await command.run(io, args);
    return 0;
  } catch (error) {
    if (error instanceof CliError) {
      const hint =
        error.exitCode === 2
          ? `\nRun \`factoredui ${error.command ?? command.name} --help\` for usage.`
          : '';
      io.stderr(`factoredui ${command.name}: ${error.message}${hint}\n`);
      return error.exitCode;
    }
    if (isFactoredError(error)) {
      io.stderr(`factoredui ${command.name}: [${error.code}] ${error.message}\n`);
      return 1;
    }
    io.stderr(
      `factoredui ${command.name}: unexpected error: ${
        error instanceof Error ? (error.stack ?? error.message) : String(error)
      }\n`,
    );
    return 1;
  }
}
