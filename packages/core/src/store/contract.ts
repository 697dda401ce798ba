import type { CaptureCapability } from './capture.js';
import type { DashboardCapability, ExperimentCapability } from './experiments.js';
import type { ClusterCapability, FactorCapability } from './factors.js';
import type { GovernanceCapability } from './governance.js';
import type { IdentityCapability } from './identity.js';
import type { LifecycleCapability } from './lifecycle.js';
import type { MaintenanceCapability } from './maintenance.js';
import type { MetricCapability } from './metrics.js';
import type { RealtimeCapability } from './realtime.js';
import type { SpecCapability } from './specs.js';

/**
 * All persistence of FactoredUI goes through this interface. Every method is async and either
 * returns data or throws a {@link FactoredError} with a stable code; none swallows a failure
 * into an empty result. Core functions take the store as their first argument.
 *
 * Capability groups: identity, capture, factors, clusters, experiments, dashboard,
 * governance, metrics, specs, realtime (optional), maintenance and data lifecycle (service role).
 *
 * A store is complete when it passes `runStoreConformanceSuite` from
 * `@factoredui/core/testing` unchanged.
 */
export interface FactoredStore
  extends IdentityCapability,
    CaptureCapability,
    FactorCapability,
    ClusterCapability,
    ExperimentCapability,
    DashboardCapability,
    GovernanceCapability,
    MetricCapability,
    SpecCapability,
    RealtimeCapability,
    MaintenanceCapability,
    LifecycleCapability {}
