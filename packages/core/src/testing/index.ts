/**
 * `@factoredui/core/testing`: the store conformance suite. Every `FactoredStore` runs it
 * unchanged:
 *
 * ```ts
 * import { runStoreConformanceSuite } from '@factoredui/core/testing';
 * runStoreConformanceSuite({ name: 'my-store', createHarness: async () => myHarness });
 * ```
 *
 * Requires `vitest` (an optional peer dependency of `@factoredui/core`).
 *
 * @packageDocumentation
 */
import { describe } from 'vitest';
import { useHarness } from './context.js';
import type { ConformanceOptions } from './harness.js';
import { captureConformance } from './suites/capture.js';
import { experimentsConformance } from './suites/experiments.js';
import { factorsConformance } from './suites/factors.js';
import { governanceConformance } from './suites/governance.js';
import { holdoutConformance } from './suites/holdout.js';
import { layersConformance } from './suites/layers.js';
import { lifecycleConformance } from './suites/lifecycle.js';
import { limitsConformance } from './suites/limits.js';
import { metricsConformance } from './suites/metrics.js';
import { specsConformance } from './suites/specs.js';

export {
  FACTOR_FIXTURES,
  type FactorFixture,
  type FactorFixtureCheckpoint,
  type FactorFixtureExpectation,
} from './fixtures/factors/index.js';
export {
  METRIC_FIXTURE_DATA,
  METRIC_FIXTURES,
  type MetricFixture,
  type MetricFixtureData,
} from './fixtures/metrics/index.js';
export type { ConformanceOptions, StoreHarness } from './harness.js';
export { TEST_USERS, testUuid } from './harness.js';
export {
  type InstrumentedCall,
  type InstrumentedStore,
  instrumentStore,
} from './instrument.js';

/** Registers the whole conformance suite (every capability group) for one store. */
export function runStoreConformanceSuite(options: ConformanceOptions): void {
  describe(`FactoredStore conformance: ${options.name}`, () => {
    const ctx = useHarness(options);
    captureConformance(ctx);
    limitsConformance(ctx);
    factorsConformance(ctx);
    experimentsConformance(ctx);
    layersConformance(ctx);
    holdoutConformance(ctx);
    governanceConformance(ctx);
    metricsConformance(ctx);
    specsConformance(ctx);
    lifecycleConformance(ctx);
  });
}
