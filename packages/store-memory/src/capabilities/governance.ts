import { FactoredError, type GovernanceCapability } from '@factoredui/core';
import type { MemoryContext } from '../context.js';

const notYet = (method: string) => async (): Promise<never> => {
  throw new FactoredError('internal', `store-memory: ${method} is not implemented yet.`);
};

/** governance capability of the memory store. */
export function governanceCapability(_ctx: MemoryContext): GovernanceCapability {
  return {
    upsertThreshold: notYet('upsertThreshold'),
    listThresholds: notYet('listThresholds'),
    getSufficientStatistics: notYet('getSufficientStatistics'),
    appendGovernanceLog: notYet('appendGovernanceLog'),
    listGovernanceLog: notYet('listGovernanceLog'),
  };
}
