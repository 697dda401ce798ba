import type { Platform } from '../capture/types.js';
import { FactoredError } from '../errors.js';
import type { FactoredStore } from '../store/contract.js';
import { envelopeProblem, type SpecVerifier } from './signing.js';
import type { SignedSpecEnvelope, StoredSpec } from './types.js';
import { assertSpecSlot, validateSpec } from './validate.js';

/** Options of {@link publishSpec}. */
export interface PublishSpecOptions {
  name: string;
  platform: Platform;
  envelope: SignedSpecEnvelope;
  /**
   * Verifies the envelope before it is stored, with the keys clients trust, so a spec that
   * every client would reject is never published. Strongly recommended.
   */
  verifier?: SpecVerifier;
  /** Activate the new version (default `true`). */
  activate?: boolean;
  /** Renderer version to validate against (default: the current one). */
  rendererVersion?: number;
}

/**
 * The version to sign the next spec of (name, platform) as: one above the highest saved
 * version, or 1. Read it with a service store right before signing; if another publisher
 * saves in between, `saveSpec` refuses the stale version with `conflict`.
 *
 * @example
 * ```ts
 * const version = await nextSpecVersion(serviceStore, { name: 'promo', platform: 'web' });
 * const envelope = await signer.sign(spec, { name: 'promo', platform: 'web', version });
 * ```
 */
export async function nextSpecVersion(
  store: FactoredStore,
  slot: { name: string; platform: Platform },
): Promise<number> {
  assertSpecSlot(slot.name, slot.platform);
  const versions = await store.listSpecVersions({ name: slot.name, platform: slot.platform });
  return versions.reduce((max, stored) => Math.max(max, stored.version), 0) + 1;
}

/**
 * Checks a signed spec the way clients will (shape, slot and version binding, signature when
 * a verifier is given, `validateSpec`), then saves it under its signed version and activates
 * it. Needs a service-role store. Throws `invalid_input` (malformed or unbound envelope, wrong
 * slot, invalid spec), `verification_failed` (hash, key or signature) or `conflict` (the
 * signed version is not above the saved ones), and stores nothing in that case.
 *
 * @example
 * ```ts
 * const slot = { name: 'promo', platform: 'web' } as const;
 * const envelope = await signer.sign(spec, { ...slot, version: await nextSpecVersion(serviceStore, slot) });
 * const stored = await publishSpec(serviceStore, { ...slot, envelope, verifier });
 * ```
 */
export async function publishSpec(
  store: FactoredStore,
  options: PublishSpecOptions,
): Promise<StoredSpec> {
  const { name, platform, envelope } = options;
  assertSpecSlot(name, platform);
  const problem = envelopeProblem(envelope);
  if (problem) throw new FactoredError('invalid_input', `publishSpec: ${problem}.`);
  if (envelope.name !== name)
    throw new FactoredError(
      'invalid_input',
      `publishSpec: the envelope was signed for spec "${envelope.name}", not "${name}"; sign it for this name.`,
    );
  if (envelope.platform !== platform)
    throw new FactoredError(
      'invalid_input',
      `publishSpec: the envelope was signed for platform "${envelope.platform}", not "${platform}".`,
    );
  if (options.verifier) {
    const verification = await options.verifier.verify(envelope);
    if (!verification.ok)
      throw new FactoredError('verification_failed', `publishSpec: ${verification.message}`, {
        details: { reason: verification.reason },
      });
  }
  const validation = validateSpec(
    envelope.spec,
    options.rendererVersion === undefined ? {} : { rendererVersion: options.rendererVersion },
  );
  if (!validation.valid) {
    throw new FactoredError(
      'invalid_input',
      `publishSpec: the spec is invalid: ${validation.errors
        .slice(0, 5)
        .map((e) => `${e.path}: ${e.message}`)
        .join('; ')}`,
      { details: { errors: validation.errors } },
    );
  }
  const stored = await store.saveSpec({ name, platform, envelope });
  if (options.activate === false) return stored;
  return store.activateSpec({ name, platform, version: stored.version });
}
