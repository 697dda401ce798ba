import { describe } from 'vitest';
import type { SuiteContext } from '../context.js';

/** Specs capability conformance. */
export function specsConformance(_ctx: SuiteContext): void {
  describe.todo('specs');
}
