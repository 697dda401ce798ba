import type { Platform } from '../capture/types.js';
import type { SignedSpecEnvelope, StoredSpec } from '../sdui/types.js';

/** SDUI spec storage: immutable versions per (name, platform) with an active pointer. */
export interface SpecCapability {
  /** Stores a new immutable version (previous max + 1). Service role. */
  saveSpec(input: {
    name: string;
    platform: Platform;
    envelope: SignedSpecEnvelope;
  }): Promise<StoredSpec>;
  /** Points (name, platform) at `version`. `not_found` when missing. Service role. */
  activateSpec(input: { name: string; platform: Platform; version: number }): Promise<StoredSpec>;
  /** The active version, or `null` when none is active. */
  getActiveSpec(input: { name: string; platform: Platform }): Promise<StoredSpec | null>;
  /** A specific version. `not_found` when missing. */
  getSpec(input: { name: string; platform: Platform; version: number }): Promise<StoredSpec>;
  /** All versions, ascending. */
  listSpecVersions(input: { name: string; platform: Platform }): Promise<StoredSpec[]>;
}
