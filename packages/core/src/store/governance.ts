import type { FactorName } from '../factors/types.js';
import type {
  GovernanceLogEntry,
  GovernanceThreshold,
  GovernanceVerdict,
  VariantSufficientStatistics,
} from '../governance/types.js';

/** Governance capability: thresholds, sufficient statistics, the append-only log. */
export interface GovernanceCapability {
  /** Creates or replaces a threshold (by id). Service role. */
  upsertThreshold(threshold: GovernanceThreshold): Promise<GovernanceThreshold>;

  /** Thresholds for an experiment (its own and the global ones). */
  listThresholds(query?: { experimentId?: string }): Promise<GovernanceThreshold[]>;

  /**
   * Per-variant sufficient statistics for a factor: y is each assigned user's latest snapshot
   * value at or before `at` and after assignment; x the latest at or before assignment.
   * Service role.
   */
  getSufficientStatistics(query: {
    experimentId: string;
    factor: FactorName;
    path?: string;
    at: string;
  }): Promise<VariantSufficientStatistics[]>;

  /** Appends a log entry (never updated or deleted). Service role. */
  appendGovernanceLog(entry: GovernanceLogEntry): Promise<GovernanceLogEntry>;

  /** Log entries, newest first, filtered by experiment and/or verdict. */
  listGovernanceLog(query?: {
    experimentId?: string;
    verdict?: GovernanceVerdict;
    limit?: number;
  }): Promise<GovernanceLogEntry[]>;
}
