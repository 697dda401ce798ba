/** One measured figure of a benchmark. */
export interface BenchRecord {
  /** What was measured, e.g. `evaluate flag (local, 1M users)`. */
  name: string;
  /** The median (or single) measurement. */
  value: number;
  /** `ops/s`, `µs/op`, `ms`, `MB`, `events/s`, `kB`... */
  unit: string;
  /** Which way is better. */
  better: 'higher' | 'lower';
  /** Free-form detail shown in the report (sample count, spread, peer version...). */
  notes?: string;
}

/** What every `packages/<pkg>/bench/<name>.bench.ts` default-exports. */
export interface BenchSuite {
  /** Heading in docs/benchmarks.md, e.g. `Factor engine`. */
  title: string;
  /** Runs the benchmark and returns its figures. Must finish in under 3 minutes on 2 cores. */
  run(): Promise<BenchRecord[]>;
  /**
   * Ratios to report, each `numerator / denominator` by record name, e.g. FactoredUI ops/s
   * over GrowthBook ops/s.
   */
  ratios?: { label: string; numerator: string; denominator: string }[];
  /**
   * A table shown under the figures, read after `run()` resolved: for results with several
   * counts per row (e.g. one row per injected fault: lost, duplicated, dropped).
   */
  table?(): BenchTable;
}

/** See {@link BenchSuite.table}. */
export interface BenchTable {
  columns: string[];
  rows: (string | number)[][];
}
