import { convertSpecFrom05, isFactoredError } from '@factoredui/core';
import { CliError, type CommandSpec, stringOption } from '../args.js';
import { assertSpecValid, readJsonFile, writeOutput } from '../files.js';

/** The default output of `convert-spec spec.json`: `spec.converted.json` next to it. */
export function convertedPath(specFile: string): string {
  return specFile.endsWith('.json')
    ? `${specFile.slice(0, -5)}.converted.json`
    : `${specFile}.converted.json`;
}

export const convertSpecCommand: CommandSpec = {
  name: 'convert-spec',
  summary:
    'Convert a FactoredUI 0.5 spec (or 0.5 signed envelope) to the current format and validate it.',
  positionals: [
    { name: 'spec.json', required: true, description: 'The 0.5 spec or signed envelope.' },
  ],
  options: {
    out: {
      type: 'string',
      value: '<file>',
      description:
        'Where to write the converted spec (default: <spec>.converted.json; - for stdout).',
    },
    force: { type: 'boolean', description: 'Replace --out if it exists.' },
  },
  notes: [
    'Every prop or value that could not be carried over exactly is printed as a warning (review\n' +
      'them). Then sign the result for its slot and version:\n' +
      '  factoredui sign spec.converted.json --name <name> --platform <platform> --version <n>',
  ],
  async run(io, args) {
    const file = args.positionals[0] ?? '';
    const input = await readJsonFile(io, file, 'spec');
    let converted: ReturnType<typeof convertSpecFrom05>;
    try {
      converted = convertSpecFrom05(input);
    } catch (error) {
      if (isFactoredError(error, 'invalid_input')) throw new CliError(`${file}: ${error.message}`);
      throw error;
    }
    assertSpecValid(converted.spec, `the conversion of ${file}`);
    for (const warning of converted.warnings) io.stderr(`warning: ${warning}\n`);
    const text = `${JSON.stringify(converted.spec, null, 2)}\n`;
    const out = stringOption(args, 'out') ?? convertedPath(file);
    if (out === '-') {
      io.stdout(text);
      return;
    }
    const path = await writeOutput(io, out, text, args.values.force === true);
    io.stdout(
      `Wrote ${path} (valid; ${converted.warnings.length} warning${converted.warnings.length === 1 ? '' : 's'}).\n` +
        `Sign it: factoredui sign ${out} --name <name> --platform <platform> --version <n>\n`,
    );
  },
};
