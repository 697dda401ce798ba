import { parseArgs } from 'node:util';

/** Where a command writes and what it reads from its environment. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/** A failure the CLI reports as one clear line (no stack trace) before exiting non-zero. */
export class CliError extends Error {
  override readonly name = 'CliError';
  /** 2 for a usage error (bad arguments), 1 for anything else. */
  readonly exitCode: number;
  /** The command whose `--help` the message points to, for usage errors. */
  readonly command: string | undefined;

  constructor(message: string, options: { exitCode?: number; command?: string } = {}) {
    super(message);
    this.exitCode = options.exitCode ?? 1;
    this.command = options.command;
  }
}

/** One option of a command. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** A string option that may be given several times (its values in order). */
  multiple?: boolean;
  /** Placeholder shown in help, e.g. `<file>`. */
  value?: string;
  description: string;
}

/** A subcommand: its arguments, help text and implementation. */
export interface CommandSpec {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Positional arguments, in order. */
  positionals: readonly { name: string; required: boolean; description: string }[];
  options: Readonly<Record<string, OptionSpec>>;
  /** Paragraphs printed after the option list (examples, environment variables). */
  notes?: readonly string[];
  /**
   * Subcommands (`factoredui <name> <sub> ...`), each named `<name> <sub>`. The `run` of a
   * command with subcommands is never called: `factoredui <name> --help` lists them.
   */
  subcommands?: readonly CommandSpec[];
  run(io: CliIo, args: ParsedCommand): Promise<void>;
}

/** Parsed arguments of a command. */
export interface ParsedCommand {
  positionals: string[];
  values: Record<string, string | boolean | string[] | undefined>;
}

/** The help text of a command (for a command with subcommands: the list of them). */
export function commandHelp(spec: CommandSpec): string {
  if (spec.subcommands) {
    const width = Math.max(...spec.subcommands.map((c) => c.name.length)) + 2 - spec.name.length;
    return [
      `Usage: factoredui ${spec.name} <subcommand> [options]`,
      '',
      spec.summary,
      '',
      'Subcommands:',
      ...spec.subcommands.map(
        (c) => `  ${c.name.slice(spec.name.length + 1).padEnd(width)}${c.summary}`,
      ),
      '',
      `Run \`factoredui ${spec.name} <subcommand> --help\` for the options of a subcommand.`,
      ...(spec.notes ?? []).flatMap((note) => ['', note]),
      '',
    ].join('\n');
  }
  const positional = spec.positionals
    .map((p) => (p.required ? `<${p.name}>` : `[${p.name}]`))
    .join(' ');
  const lines = [
    `Usage: factoredui ${spec.name}${positional ? ` ${positional}` : ''} [options]`,
    '',
    spec.summary,
  ];
  if (spec.positionals.length > 0) {
    lines.push('', 'Arguments:');
    for (const p of spec.positionals) lines.push(`  ${p.name.padEnd(26)}${p.description}`);
  }
  lines.push('', 'Options:');
  const all: [string, OptionSpec][] = [
    ...Object.entries(spec.options),
    ['help', { type: 'boolean', short: 'h', description: 'Show this help.' }],
  ];
  const flags = all.map(([name, option]) => [
    `${option.short ? `-${option.short}, ` : '    '}--${name}${
      option.type === 'string' ? ` ${option.value ?? '<value>'}` : ''
    }`,
    option.multiple ? `${option.description} (repeatable)` : option.description,
  ]);
  const width = Math.max(...flags.map(([flag]) => (flag ?? '').length)) + 2;
  for (const [flag, description] of flags)
    lines.push(`  ${(flag ?? '').padEnd(width)}${description}`);
  for (const note of spec.notes ?? []) lines.push('', note);
  return `${lines.join('\n')}\n`;
}

/**
 * Parses `argv` (the arguments after the command name) strictly: unknown options, missing
 * values and extra positionals are usage errors that name the problem.
 */
export function parseCommand(spec: CommandSpec, argv: readonly string[]): ParsedCommand {
  const options: Record<
    string,
    { type: 'string' | 'boolean'; short?: string; multiple?: boolean }
  > = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, option] of Object.entries(spec.options)) {
    options[name] = {
      type: option.type,
      ...(option.short ? { short: option.short } : {}),
      ...(option.multiple ? { multiple: true } : {}),
    };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new CliError(message.replace(/\. To specify a positional argument.*$/s, '.'), {
      exitCode: 2,
      command: spec.name,
    });
  }
  const values = parsed.values as ParsedCommand['values'];
  if (values.help) return { positionals: parsed.positionals, values };
  const required = spec.positionals.filter((p) => p.required).length;
  if (parsed.positionals.length < required) {
    const missing = spec.positionals[parsed.positionals.length];
    throw new CliError(`Missing argument <${missing?.name}>.`, { exitCode: 2, command: spec.name });
  }
  if (parsed.positionals.length > spec.positionals.length) {
    throw new CliError(`Unexpected argument "${parsed.positionals[spec.positionals.length]}".`, {
      exitCode: 2,
      command: spec.name,
    });
  }
  return { positionals: parsed.positionals, values };
}

/** A string option's value, or `undefined`. */
export function stringOption(args: ParsedCommand, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

/** Every value of a repeatable string option, in order (empty when not given). */
export function listOption(args: ParsedCommand, name: string): string[] {
  const value = args.values[name];
  if (Array.isArray(value)) return value;
  return typeof value === 'string' ? [value] : [];
}

/** A required string option's value; a usage error naming the flag otherwise. */
export function requireOption(args: ParsedCommand, name: string, command: string): string {
  const value = stringOption(args, name);
  if (value === undefined || value === '') {
    throw new CliError(`Missing option --${name}.`, { exitCode: 2, command });
  }
  return value;
}

/** Parses a time option (ISO 8601 or anything `Date.parse` reads) into ISO 8601 UTC. */
export function timeOption(args: ParsedCommand, name: string, command: string): string | undefined {
  const value = stringOption(args, name);
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new CliError(
      `--${name} "${value}" is not a date; use ISO 8601, e.g. 2026-01-31T00:00:00Z.`,
      { exitCode: 2, command },
    );
  }
  return new Date(ms).toISOString();
}
