import {
  type DashboardCapability,
  type ExperimentCapability,
  FactoredError,
} from '@factoredui/core';
import type { MemoryContext } from '../context.js';

const notYet = (method: string) => async (): Promise<never> => {
  throw new FactoredError('internal', `store-memory: ${method} is not implemented yet.`);
};

/** experiments capability of the memory store. */
export function experimentsCapability(
  _ctx: MemoryContext,
): ExperimentCapability & DashboardCapability {
  return {
    insertExperiment: notYet('insertExperiment'),
    getExperiment: notYet('getExperiment'),
    listExperiments: notYet('listExperiments'),
    transitionExperiment: notYet('transitionExperiment'),
    recordAssignment: notYet('recordAssignment'),
    listAssignments: notYet('listAssignments'),
    recordExposure: notYet('recordExposure'),
    listExposures: notYet('listExposures'),
    getExperimentSummaries: notYet('getExperimentSummaries'),
    getExperimentSummary: notYet('getExperimentSummary'),
  };
}
