import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { FactoredStore } from '../store/contract.js';
import type { ConformanceOptions, StoreHarness } from './harness.js';

/** Per-suite access to the harness, set up by {@link useHarness}. */
export interface SuiteContext {
  harness(): StoreHarness;
  user(userId: string): Promise<FactoredStore>;
  service(): Promise<FactoredStore>;
}

/** Registers the suite's lifecycle hooks and returns accessors for the tests. */
export function useHarness(options: ConformanceOptions): SuiteContext {
  let harness: StoreHarness | undefined;
  beforeAll(async () => {
    harness = await options.createHarness();
  });
  beforeEach(async () => {
    await harness?.reset();
  });
  afterAll(async () => {
    await harness?.close?.();
  });
  const get = () => {
    if (!harness) throw new Error('the conformance harness was not created');
    return harness;
  };
  return {
    harness: get,
    user: (userId) => get().user(userId),
    service: () => get().service(),
  };
}
