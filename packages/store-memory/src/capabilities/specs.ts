import { FactoredError, type SpecCapability } from '@factoredui/core';
import type { MemoryContext } from '../context.js';

const notYet = (method: string) => async (): Promise<never> => {
  throw new FactoredError('internal', `store-memory: ${method} is not implemented yet.`);
};

/** specs capability of the memory store. */
export function specsCapability(_ctx: MemoryContext): SpecCapability {
  return {
    saveSpec: notYet('saveSpec'),
    activateSpec: notYet('activateSpec'),
    getActiveSpec: notYet('getActiveSpec'),
    getSpec: notYet('getSpec'),
    listSpecVersions: notYet('listSpecVersions'),
  };
}
