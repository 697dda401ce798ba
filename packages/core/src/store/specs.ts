import type { Platform } from '../capture/types.js';
import type { SignedSpecEnvelope, StoredSpec } from '../sdui/types.js';

/**
 * SDUI spec storage: immutable versions per (name, platform) with an active pointer.
 *
 * Rules every store follows (the conformance suite checks them):
 * - `saveSpec` and `activateSpec` need the service role (`unauthorized` otherwise); any
 *   authenticated store (user or service) reads.
 * - The version is the envelope's **signed** `version`: the store saves the envelope under
 *   exactly that version, which must be above every version already saved for (name,
 *   platform) (`conflict` otherwise; gaps are allowed). A saved version is never modified.
 *   Saving does not activate.
 * - The envelope must be bound to the slot it is saved in: its signed `name` and `platform`
 *   equal the input's (`invalid_input` otherwise), and unbound envelopes (no signed name,
 *   platform or version) are refused with `invalid_input`.
 * - The envelope is returned equal as JSON to what was saved (key order may differ: verifiers
 *   hash the canonical JSON, so a database that re-orders keys is fine; values, including
 *   number precision and strings, must round-trip exactly).
 * - The store checks the envelope's shape and limits (`envelopeProblem` from core: size,
 *   depth, field formats) and the name (`specNameProblem`), throwing `invalid_input`; it does
 *   not verify hashes or signatures:
 *   clients do that when they load a spec, so a compromised store cannot make them render
 *   an unsigned spec.
 * - Each save or activation publishes a change on the `specs` topic with the spec name as
 *   `key`, when the store has realtime.
 */
export interface SpecCapability {
  /**
   * Stores a new immutable version under the envelope's signed version, which must be above
   * every saved version of (name, platform). Service role.
   */
  saveSpec(input: {
    name: string;
    platform: Platform;
    envelope: SignedSpecEnvelope;
  }): Promise<StoredSpec>;
  /**
   * Points (name, platform) at `version` and returns that version. `not_found` when it does not
   * exist. Activating the active version again is a no-op. Service role.
   */
  activateSpec(input: { name: string; platform: Platform; version: number }): Promise<StoredSpec>;
  /** The active version, or `null` when none is active (or the name is unknown). */
  getActiveSpec(input: { name: string; platform: Platform }): Promise<StoredSpec | null>;
  /** A specific version. `not_found` when missing. */
  getSpec(input: { name: string; platform: Platform; version: number }): Promise<StoredSpec>;
  /** All versions of (name, platform), ascending by version; empty when none. */
  listSpecVersions(input: { name: string; platform: Platform }): Promise<StoredSpec[]>;
}
