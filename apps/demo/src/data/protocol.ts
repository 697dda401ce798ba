import type { FactoredErrorCode, FactoredStore, StoreChange } from '@factoredui/core';
import type { SimulationProgress, SimulationResult } from '../lib/simulate.js';

/**
 * The messages between the page and the demo database worker (`database.worker.ts`).
 *
 * The worker owns the demo's memory database and its IndexedDB persistence; the page talks to
 * it through {@link FactoredStore} proxies (`client.ts`), so loading, saving, factor refreshes
 * and the traffic simulation never run on the main thread.
 */

/** Who a proxied store acts as. */
export type StoreIdentity = { role: 'service' } | { role: 'user'; userId: string };

/** Every method of {@link FactoredStore} that the proxy forwards (all but `subscribe`). */
export const STORE_METHODS = [
  'getIdentity',
  'startSession',
  'getSession',
  'listSessions',
  'insertEvents',
  'listEvents',
  'getFactors',
  'getComponentAggregates',
  'getFactorHistory',
  'getClosestSnapshot',
  'getUserCluster',
  'getClusterMembers',
  'insertExperiment',
  'updateExperiment',
  'getExperiment',
  'listExperiments',
  'transitionExperiment',
  'setHoldout',
  'getHoldout',
  'recordAssignment',
  'listAssignments',
  'recordExposure',
  'listExposures',
  'getExperimentSummaries',
  'getExperimentSummary',
  'upsertThreshold',
  'listThresholds',
  'getSufficientStatistics',
  'releaseStatistics',
  'appendGovernanceLog',
  'listGovernanceLog',
  'saveSpec',
  'activateSpec',
  'getActiveSpec',
  'getSpec',
  'listSpecVersions',
  'recomputeFactors',
  'snapshotFactors',
  'storeClusters',
  'defineMetric',
  'listMetrics',
  'getMetricStatistics',
  'setMetricPlan',
  'getMetricPlan',
  'exportUser',
  'eraseUser',
  'listErasures',
  'pruneEvents',
  'requestErasure',
  'processErasureRequests',
] as const satisfies readonly Exclude<keyof FactoredStore, 'subscribe'>[];

/** A forwarded store method. */
export type StoreMethod = (typeof STORE_METHODS)[number];

// Compile-time check that STORE_METHODS names every method: a method added to the contract
// and not forwarded fails the typecheck here instead of failing at run time in the demo.
type Unforwarded = Exclude<keyof FactoredStore, StoreMethod | 'subscribe'>;
const everyMethodForwarded: [Unforwarded] extends [never] ? true : Unforwarded = true;
void everyMethodForwarded;

/** An error carried across the boundary (a `FactoredError` is rebuilt from it). */
export interface WireError {
  code: FactoredErrorCode | null;
  message: string;
}

/** What the page asks of the worker. */
export type Request =
  | { kind: 'call'; id: number; identity: StoreIdentity; method: StoreMethod; args: unknown[] }
  | { kind: 'simulate'; id: number; users: number; seed?: number }
  | { kind: 'flush'; id: number }
  | { kind: 'clear'; id: number };

/** How the worker's load of persisted data went. */
export interface LoadReport {
  /** Where the data is kept: IndexedDB, or only in the worker's memory. */
  persistence: 'indexeddb' | 'memory';
  /** Why persistence is off or the saved copy could not be read, when so. */
  problem: string | null;
}

/** A failed save, or the first successful save after one. */
export type PersistenceStatus = { ok: true } | { ok: false; message: string };

/** What the worker tells the page. */
export type Response =
  | { kind: 'ready'; report: LoadReport }
  | { kind: 'result'; id: number; value: unknown }
  | { kind: 'error'; id: number; error: WireError }
  | { kind: 'progress'; id: number; progress: SimulationProgress }
  | { kind: 'simulated'; id: number; result: WireSimulationResult }
  | { kind: 'changes'; changes: StoreChange[] }
  | { kind: 'persistence'; status: PersistenceStatus };

/** A {@link SimulationResult} whose sweep failures carry wire errors. */
export type WireSimulationResult = Omit<SimulationResult, 'sweep'> & {
  sweep: Omit<SimulationResult['sweep'], 'failures'> & {
    failures: { experimentId: string; experimentName: string; error: WireError }[];
  };
};
