import { describe } from 'vitest';
import type { SuiteContext } from '../context.js';

/** Experiments capability conformance. */
export function experimentsConformance(_ctx: SuiteContext): void {
  describe.todo('experiments');
}
