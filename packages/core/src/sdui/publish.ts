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
 * Checks a signed spec the way clients will (shape, slot, signature when a verifier is given,
 * `validateSpec`), then saves it as a new version and activates it. Needs a service-role
 * store. Throws `invalid_input` (malformed envelope, wrong slot, invalid spec) or
 * `verification_failed` (hash, key or signature), and stores nothing in that case.
 *
 * @example
 * ```ts
 * const envelope = await signer.sign(spec, { name: 'promo', platform: 'web' });
 * const stored = await publishSpec(serviceStore, { name: 'promo', platform: 'web', envelope, verifier });
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
  if (envelope.name !== undefined && envelope.name !== name)
    throw new FactoredError(
      'invalid_input',
      `publishSpec: the envelope was signed for spec "${envelope.name}", not "${name}"; sign it for this name.`,
    );
  if (envelope.platform !== undefined && envelope.platform !== platform)
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
