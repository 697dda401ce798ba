export type { CaptureCapability, InsertEventsOptions } from './capture.js';
export type { FactoredStore } from './contract.js';
export type { DashboardCapability, ExperimentCapability } from './experiments.js';
export type { ClusterCapability, FactorCapability } from './factors.js';
export type { GovernanceCapability } from './governance.js';
export type { IdentityCapability, StoreIdentity } from './identity.js';
export type {
  ErasureRecord,
  ErasureRequest,
  ErasureSource,
  LifecycleCapability,
  PruneResult,
  ReleaseCohortMembership,
  UserDataCounts,
  UserDataExport,
} from './lifecycle.js';
export type { MaintenanceCapability } from './maintenance.js';
export type { MetricCapability } from './metrics.js';
export type { RealtimeCapability, StoreChange, StoreTopic } from './realtime.js';
export type { SpecCapability } from './specs.js';
