import { describe } from 'vitest';
import type { SuiteContext } from '../context.js';

/** Governance capability conformance. */
export function governanceConformance(_ctx: SuiteContext): void {
  describe.todo('governance');
}
