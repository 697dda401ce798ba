import { describe } from 'vitest';
import type { SuiteContext } from '../context.js';

/** Factors capability conformance. */
export function factorsConformance(_ctx: SuiteContext): void {
  describe.todo('factors');
}
