import {
  type ClusterCapability,
  type FactorCapability,
  FactoredError,
  type MaintenanceCapability,
} from '@factoredui/core';
import type { MemoryContext } from '../context.js';

const notYet = (method: string) => async (): Promise<never> => {
  throw new FactoredError('internal', `store-memory: ${method} is not implemented yet.`);
};

/** factors capability of the memory store. */
export function factorsCapability(
  _ctx: MemoryContext,
): FactorCapability & ClusterCapability & MaintenanceCapability {
  return {
    getFactors: notYet('getFactors'),
    getComponentAggregates: notYet('getComponentAggregates'),
    getFactorHistory: notYet('getFactorHistory'),
    getClosestSnapshot: notYet('getClosestSnapshot'),
    getUserCluster: notYet('getUserCluster'),
    getClusterMembers: notYet('getClusterMembers'),
    recomputeFactors: notYet('recomputeFactors'),
    snapshotFactors: notYet('snapshotFactors'),
    storeClusters: notYet('storeClusters'),
  };
}
