/**
 * Runs every `packages/<pkg>/bench/*.bench.ts` (and `apps/<app>/bench`) in its own process and
 * writes docs/benchmarks.md from the results: machine, versions, medians and ratios. Usage:
 * `pnpm bench` (every suite, writes the report) or `npx tsx scripts/bench.ts <filter>` (suites
 * whose file or package name contains `filter`; prints the report instead of writing it).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchRecord, BenchSuite, BenchTable } from './bench-types.js';

const root = fileURLToPath(new URL('..', import.meta.url));

async function runOne(file: string): Promise<void> {
  const mod = (await import(pathToFileURL(file).href)) as { default: BenchSuite };
  const records = await mod.default.run();
  const table = mod.default.table?.();
  process.stdout.write(
    `${JSON.stringify({ title: mod.default.title, ratios: mod.default.ratios ?? [], records, table })}\n`,
  );
}

function findSuites(filter: string | undefined): string[] {
  const files: string[] = [];
  for (const group of ['packages', 'apps']) {
    const groupDir = join(root, group);
    if (!existsSync(groupDir)) continue;
    for (const pkg of readdirSync(groupDir)) {
      const benchDir = join(groupDir, pkg, 'bench');
      if (!existsSync(benchDir)) continue;
      for (const file of readdirSync(benchDir).sort()) {
        if (
          file.endsWith('.bench.ts') &&
          (!filter || file.includes(filter) || pkg.includes(filter))
        )
          files.push(join(benchDir, file));
      }
    }
  }
  return files;
}

function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 1000 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

function version(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8' }).trim().split('\n')[0] ?? 'unknown';
  } catch {
    return 'not installed';
  }
}

/** Packages whose versions the report names: ours, and the peers and engines measured. */
const VERSIONED: { name: string; from: string }[] = [
  { name: '@factoredui/core', from: 'packages/core' },
  { name: '@factoredui/store-memory', from: 'packages/store-memory' },
  { name: '@factoredui/store-supabase', from: 'packages/store-supabase' },
  { name: '@factoredui/react', from: 'packages/react' },
  { name: '@factoredui/sdui-react', from: 'packages/sdui-react' },
  { name: '@growthbook/growthbook', from: 'packages/core' },
  { name: '@openfeature/web-sdk', from: 'packages/core' },
  { name: '@noble/ed25519', from: 'packages/core' },
  { name: '@electric-sql/pglite', from: 'packages/store-supabase' },
  { name: 'react', from: 'packages/react' },
  { name: 'react-dom', from: 'packages/react' },
  { name: 'tinybench', from: 'packages/core' },
];

/** The installed version of `name` as seen from the workspace package `from`. */
function packageVersion(name: string, from: string): string {
  const candidates = [
    join(root, from, 'node_modules', name, 'package.json'),
    join(root, 'node_modules', name, 'package.json'),
  ];
  if (name.startsWith('@factoredui/')) candidates.unshift(join(root, from, 'package.json'));
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (manifest.name === name && manifest.version) return manifest.version;
  }
  return 'not installed';
}

/** A figure of the report a full run replaces, keyed by section title and measurement name. */
interface PreviousFigure {
  value: string;
  unit: string;
}

/**
 * Reads the figures of the current docs/benchmarks.md, so the new report shows each row beside
 * the run it replaces (before → after in one table). Rows are matched by section title and
 * measurement name; a row whose unit changed is not compared.
 */
function readPreviousReport(): { generated: string; figures: Map<string, PreviousFigure> } {
  const figures = new Map<string, PreviousFigure>();
  const file = join(root, 'docs', 'benchmarks.md');
  if (!existsSync(file)) return { generated: 'never', figures };
  const text = readFileSync(file, 'utf8');
  // "Generated <time> on <machine>, <memory>, ..." -> "<time> on <machine>": a previous run on
  // other hardware is named as such beside its figures.
  const header = /^Generated (\S+) on ([^,]+),/m.exec(text);
  const generated = header ? `${header[1]} on ${header[2]}` : 'unknown';
  let section = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('## ')) section = line.slice(3).trim();
    const cells = line.split('|').map((cell) => cell.trim());
    // | name | value | unit | better | notes |, or since the comparison columns exist:
    // | name | value | previous | change | unit | better | notes |
    if (cells.length < 7 || cells[1] === 'measurement' || cells[1]?.startsWith('---')) continue;
    const compared = cells.length >= 9 && (cells[6] === 'higher' || cells[6] === 'lower');
    const unit = compared ? cells[5] : cells[3];
    const better = compared ? cells[6] : cells[4];
    if ((better !== 'higher' && better !== 'lower') || !cells[1] || !cells[2] || !unit) continue;
    figures.set(`${section}\u0000${cells[1]}`, { value: cells[2], unit });
  }
  return { generated, figures };
}

/** `previous → now` as a ratio in the row's better direction (`1.8× better`, `0.9× (worse)`). */
function compareFigures(previous: string, now: number, better: 'higher' | 'lower'): string {
  const before = Number(previous.replace(/,/g, ''));
  if (!Number.isFinite(before) || before === 0 || now === 0 || !Number.isFinite(now)) return '';
  const gain = better === 'higher' ? now / before : before / now;
  const ratio = gain.toFixed(gain >= 10 ? 0 : 2);
  if (Math.abs(gain - 1) < 0.05) return `${ratio}× (same)`;
  return gain > 1 ? `${ratio}× better` : `${ratio}× (worse)`;
}

interface SuiteResult {
  file: string;
  title: string;
  ratios: NonNullable<BenchSuite['ratios']>;
  records: BenchRecord[];
  table?: BenchTable;
  seconds?: number;
  error?: string;
}

async function main(): Promise<void> {
  const [mode, arg] = process.argv.slice(2);
  if (mode === '--child' && arg) return runOne(arg);
  const suites = findSuites(mode);
  const results: SuiteResult[] = [];
  for (const file of suites) {
    const rel = relative(root, file);
    process.stderr.write(`bench: ${rel}\n`);
    const started = Date.now();
    try {
      const out = execFileSync(
        process.execPath,
        ['--import', 'tsx', '--expose-gc', fileURLToPath(import.meta.url), '--child', file],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'inherit'],
          maxBuffer: 64 * 1024 * 1024,
        },
      );
      const line = out.trim().split('\n').at(-1) ?? '{}';
      results.push({
        file: rel,
        ...(JSON.parse(line) as Omit<SuiteResult, 'file'>),
        seconds: (Date.now() - started) / 1000,
      });
    } catch (error) {
      results.push({ file: rel, title: rel, ratios: [], records: [], error: String(error) });
    }
  }
  const previous = readPreviousReport();
  const lines: string[] = [
    '# Benchmarks',
    '',
    '<!-- Generated by `pnpm bench` (scripts/bench.ts). Do not edit by hand. -->',
    '',
    `Generated ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${version('psql', ['--version'])}.`,
    'Figures are medians unless a note says otherwise. Each suite runs in its own Node process',
    '(`--expose-gc`), one after another; peers run in the same process and the same way as ours.',
    'Ratios are computed from the figures above them in the same run.',
    `The *previous* column is the same row in the report this run replaced (generated ${previous.generated}),`,
    'and *change* its ratio in the better direction: before and after side by side. Rows new in',
    'this run have none; figures from a shared machine move by 10–30% between runs on their own,',
    'and a previous run on other hardware mixes machine and code: rows that measure before and after',
    'in this run (e.g. `refresh_factors before` / `after`) compare the code alone.',
    '',
    '| package | version |',
    '| --- | --- |',
    ...VERSIONED.map(({ name, from }) => `| ${name} | ${packageVersion(name, from)} |`),
    '',
  ];
  for (const suite of results) {
    const took = suite.seconds === undefined ? '' : ` (ran in ${suite.seconds.toFixed(0)} s)`;
    lines.push(`## ${suite.title}`, '', `Source: \`${suite.file}\`${took}`, '');
    if (suite.error) {
      lines.push(`**Failed:** ${suite.error.split('\n')[0]}`, '');
      continue;
    }
    lines.push(
      '| measurement | value | previous | change | unit | better | notes |',
      '| --- | ---: | ---: | --- | --- | --- | --- |',
    );
    for (const r of suite.records) {
      const before = previous.figures.get(`${suite.title}\u0000${r.name}`);
      const comparable = before !== undefined && before.unit === r.unit;
      const was = comparable ? before.value : '';
      const change = comparable ? compareFigures(before.value, r.value, r.better) : '';
      lines.push(
        `| ${r.name} | ${formatValue(r.value)} | ${was} | ${change} | ${r.unit} | ${r.better} | ${r.notes ?? ''} |`,
      );
    }
    lines.push('');
    for (const ratio of suite.ratios) {
      const num = suite.records.find((r) => r.name === ratio.numerator);
      const den = suite.records.find((r) => r.name === ratio.denominator);
      if (num && den && den.value !== 0)
        lines.push(`- **${ratio.label}:** ${formatValue(num.value / den.value)}×`);
    }
    if (suite.ratios.length > 0) lines.push('');
    if (suite.table) {
      const { columns, rows } = suite.table;
      const cell = (value: string | number) =>
        typeof value === 'number' ? formatValue(value) : value;
      lines.push(
        `| ${columns.join(' | ')} |`,
        `| ${columns.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
        ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
        '',
      );
    }
  }
  // Only a full run may replace the report, so docs/benchmarks.md always comes from ONE run of
  // every suite; a filtered run prints its section instead.
  if (mode === undefined) {
    writeFileSync(join(root, 'docs', 'benchmarks.md'), `${lines.join('\n')}\n`);
    process.stderr.write(`bench: wrote docs/benchmarks.md (${results.length} suites)\n`);
  } else {
    process.stdout.write(`${lines.join('\n')}\n`);
    process.stderr.write(
      `bench: filtered run (${results.length} suites); docs/benchmarks.md unchanged\n`,
    );
  }
  if (results.some((r) => r.error)) process.exitCode = 1;
}

await main();
