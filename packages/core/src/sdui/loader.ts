import type { Platform } from '../capture/types.js';
import { FactoredError, isFactoredError } from '../errors.js';
import { legacyCall } from '../legacy/calls.js';
import type { FactoredStore } from '../store/contract.js';
import type { SpecVerificationFailure, SpecVerifier } from './signing.js';
import type { CachedSpec, SpecStorage } from './storage.js';
import { RENDERER_VERSION, type SignedSpecEnvelope, type Spec, type StoredSpec } from './types.js';
import {
  assertSpecSlot,
  assertValidSpec,
  type SpecValidationError,
  validateSpec,
} from './validate.js';

/** Where a loaded spec came from. */
export type SpecSource = 'remote' | 'cache' | 'baseline';

/**
 * Why a remote or cached spec was not used.
 *
 * - `unavailable`: the store (or the device cache) could not be read.
 * - `not_found`: no active spec (or no such pinned version) in the store.
 * - `unbound_envelope`: the envelope carries no signed name, platform or version (the
 *   FactoredUI 0.5 format); it must be re-signed with `factoredui sign --name --platform
 *   --version`.
 * - `malformed_envelope`, `hash_mismatch`, `unknown_key`, `bad_signature`,
 *   `dev_verifier_in_production`: the verifier refused the envelope.
 * - `verification_unavailable`: the verifier could not hash (no WebCrypto and no hash
 *   functions given), so nothing remote or cached was trusted; the cache entry is kept.
 * - `slot_mismatch`: the envelope was signed for another spec name or platform.
 * - `version_mismatch`: the store (or the device cache) labels the envelope with a version
 *   other than the one it was signed as (a string, `NaN`, a relabeled number), or a pinned
 *   load got another version than it asked for.
 * - `renderer_too_old`: the spec's `renderer_min` is above this renderer's version.
 * - `invalid_spec`: the spec fails `validateSpec` (see `errors`).
 * - `rollback`: the remote version (or signing time) is older than the cached one, or the
 *   same version arrived with different content.
 * - `cache_write_failed`: the spec was accepted but could not be cached.
 */
export type SpecRejectionReason =
  | SpecVerificationFailure
  | 'unavailable'
  | 'not_found'
  | 'slot_mismatch'
  | 'version_mismatch'
  | 'renderer_too_old'
  | 'invalid_spec'
  | 'rollback'
  | 'cache_write_failed';

/** One reason a candidate spec was passed over. */
export interface SpecRejection {
  source: 'remote' | 'cache';
  reason: SpecRejectionReason;
  message: string;
  /** The rejected version, when known. */
  version?: number;
  /** Validation errors, for `invalid_spec`. */
  errors?: SpecValidationError[];
}

/** The outcome of {@link loadSpec}. */
export interface LoadedSpec {
  /** The spec to render: verified remote or cached, or the bundled baseline. */
  spec: Spec;
  source: SpecSource;
  /** The spec's signed version (never the store's label); `null` for the baseline. */
  version: number | null;
  /** The verified envelope; `null` for the baseline. */
  envelope: SignedSpecEnvelope | null;
  /** The key that verified it; `null` for the baseline. */
  keyId: string | null;
  /** Everything that was passed over, in order: remote first, then cache. */
  rejections: SpecRejection[];
}

/** Options of {@link loadSpec}. */
export interface LoadSpecOptions {
  store: FactoredStore;
  /** The spec slot's name, e.g. `checkout-banner`. */
  name: string;
  platform: Platform;
  /** The spec bundled with the app, rendered when nothing verified is available. Must be valid. */
  baseline: Spec;
  /** Device cache and rollback floor. Without one, only remote and baseline are tried. */
  storage?: SpecStorage | null;
  /** Checks hashes and signatures (`createEd25519Verifier`, or `devSignatureVerifier`). */
  verifier: SpecVerifier;
  /**
   * Load this version instead of the active one (an experiment variant that names a spec
   * version). Cached separately; the rollback floor then only forbids a changed version.
   */
  version?: number;
  /** The renderer's version (default {@link RENDERER_VERSION}). */
  rendererVersion?: number;
}

type Verdict = { ok: true; keyId: string } | { ok: false; rejection: SpecRejection };

const rejectWith = (
  source: SpecRejection['source'],
  reason: SpecRejectionReason,
  message: string,
  version?: number,
  errors?: SpecValidationError[],
): { ok: false; rejection: SpecRejection } => {
  const rejection: SpecRejection = { source, reason, message };
  if (version !== undefined) rejection.version = version;
  if (errors) rejection.errors = errors;
  return { ok: false, rejection };
};

/** A label that is a version number, or `undefined` (strings, NaN and the like are not). */
const labelOf = (version: unknown): number | undefined =>
  typeof version === 'number' && Number.isSafeInteger(version) ? version : undefined;

const describeLabel = (version: unknown): string =>
  typeof version === 'string' ? JSON.stringify(version) : String(version);

/**
 * Verification, slot, version, renderer and schema checks shared by remote and cached
 * candidates. `candidate.version` is the label the store or cache put on it: it must equal the
 * signed version, so nothing but the signer decides which version a spec is.
 */
async function check(
  candidate: { version: unknown; envelope: SignedSpecEnvelope },
  source: SpecRejection['source'],
  options: LoadSpecOptions,
): Promise<Verdict> {
  const { version, envelope } = candidate;
  let verification: Awaited<ReturnType<SpecVerifier['verify']>>;
  try {
    verification = await options.verifier.verify(envelope);
  } catch (cause) {
    return rejectWith(
      source,
      'malformed_envelope',
      `the verifier failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      labelOf(version),
    );
  }
  if (!verification.ok)
    return rejectWith(source, verification.reason, verification.message, labelOf(version));
  // The verifier checked that name, platform and version are present, well-formed and signed.
  if (envelope.name !== options.name) {
    return rejectWith(
      source,
      'slot_mismatch',
      `signed for spec "${envelope.name}", not "${options.name}".`,
      envelope.version,
    );
  }
  if (envelope.platform !== options.platform) {
    return rejectWith(
      source,
      'slot_mismatch',
      `signed for platform "${envelope.platform}", not "${options.platform}".`,
      envelope.version,
    );
  }
  if (version !== envelope.version) {
    return rejectWith(
      source,
      'version_mismatch',
      `labelled version ${describeLabel(version)} but signed as version ${envelope.version}; only the signed version is trusted.`,
      envelope.version,
    );
  }
  if (options.version !== undefined && envelope.version !== options.version) {
    return rejectWith(
      source,
      'version_mismatch',
      `version ${options.version} was asked for, but the envelope was signed as version ${envelope.version}.`,
      envelope.version,
    );
  }
  const rendererVersion = options.rendererVersion ?? RENDERER_VERSION;
  const min = envelope.spec.renderer_min;
  if (typeof min === 'number' && min > rendererVersion) {
    return rejectWith(
      source,
      'renderer_too_old',
      `version ${envelope.version} needs renderer ${min}; this renderer is version ${rendererVersion}.`,
      envelope.version,
    );
  }
  const validation = validateSpec(envelope.spec, { rendererVersion });
  if (!validation.valid) {
    return rejectWith(
      source,
      'invalid_spec',
      `version ${envelope.version} is not a valid spec: ${validation.errors
        .slice(0, 3)
        .map((e) => `${e.path}: ${e.message}`)
        .join('; ')}`,
      envelope.version,
      validation.errors,
    );
  }
  return { ok: true, keyId: verification.keyId };
}

/**
 * Why a verified remote spec would lower the floor set by the verified cached one, or `null`.
 * Both versions are the signed ones (`check` refused any other label), so nothing a store says
 * can lower, raise or freeze the floor.
 */
function rollbackProblem(remote: StoredSpec, cached: CachedSpec, pinned: boolean): string | null {
  const remoteVersion = remote.envelope.version;
  const floor = cached.envelope.version;
  if (remoteVersion === floor) {
    return remote.envelope.spec_hash === cached.envelope.spec_hash
      ? null
      : `version ${remoteVersion} was already accepted with different content (hash ${cached.envelope.spec_hash}); a stored version must never change.`;
  }
  if (pinned) return null;
  if (remoteVersion < floor) {
    return `remote version ${remoteVersion} is older than version ${floor}, already accepted on this device; to roll back, re-sign the old spec as a new version and publish it.`;
  }
  if (Date.parse(remote.envelope.signed_at) < Date.parse(cached.envelope.signed_at)) {
    return `remote version ${remoteVersion} was signed at ${remote.envelope.signed_at}, before version ${floor} (${cached.envelope.signed_at}).`;
  }
  return null;
}

const messageOf = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause));

/** The result of serving a verified cached entry. */
function fromCache(
  cached: CachedSpec & { keyId: string },
  rejections: SpecRejection[],
): LoadedSpec {
  return {
    spec: cached.envelope.spec as unknown as Spec,
    source: 'cache',
    version: cached.envelope.version,
    envelope: cached.envelope,
    keyId: cached.keyId,
    rejections,
  };
}

/** Reads and re-verifies the cached entry; a bad entry is reported and forgotten. */
async function readCache(
  options: LoadSpecOptions,
  rejections: SpecRejection[],
): Promise<(CachedSpec & { keyId: string }) | null> {
  const { storage, name, platform, version } = options;
  if (!storage) return null;
  let cached: CachedSpec | null;
  try {
    cached = await storage.load(name, platform, version);
  } catch (cause) {
    rejections.push({
      source: 'cache',
      reason: 'unavailable',
      message: `the spec cache could not be read: ${messageOf(cause)}`,
    });
    return null;
  }
  if (!cached) return null;
  const verdict = await check(cached, 'cache', options);
  if (!verdict.ok) {
    rejections.push(verdict.rejection);
    // Not the entry's fault: it may verify once the host can hash.
    if (verdict.rejection.reason === 'verification_unavailable') return null;
    try {
      await storage.remove(name, platform, version);
    } catch {
      // Best effort: it is re-verified (and rejected) on every load anyway.
    }
    return null;
  }
  return { ...cached, keyId: verdict.keyId };
}

/**
 * The device's cached spec for the slot, re-verified, without asking the store: what a
 * loader can show at once while the remote check is in flight. `null` when there is no
 * storage, no entry, or the entry fails verification (it is then deleted).
 */
export async function loadCachedSpec(options: LoadSpecOptions): Promise<LoadedSpec | null> {
  assertSpecSlot(options.name, options.platform);
  const rejections: SpecRejection[] = [];
  const cached = await readCache(options, rejections);
  if (!cached) return null;
  return fromCache(cached, rejections);
}

function normalizeArgs(args: unknown[]): LoadSpecOptions {
  if (args.length === 1) return args[0] as LoadSpecOptions;
  // 0.5.1: loadSpec(store, platform, baseline, storage, verifier), without a name.
  if (typeof args[2] === 'object' && args[2] !== null) {
    legacyCall(
      'loadSpec(store, platform, baseline, storage, verifier)',
      "loadSpec({ store, name, platform, baseline, storage, verifier }) with a baseline converted by convertSpecFrom05 (specs moved by the database upgrade are under the name 'default')",
    );
  }
  const [store, name, platform, baseline, storage, verifier, extra] = args as [
    FactoredStore,
    string,
    Platform,
    Spec,
    SpecStorage | null | undefined,
    SpecVerifier,
    Partial<LoadSpecOptions> | undefined,
  ];
  return { ...extra, store, name, platform, baseline, storage: storage ?? null, verifier };
}

/**
 * Loads the spec to render for (name, platform): the store's active version if it verifies,
 * else the last version this device accepted, else the bundled baseline. It **fails closed**:
 * an unbound envelope, a bad hash, bad signature, unknown key, spec signed for another slot,
 * a version label that differs from the signed version, too-new `renderer_min`, invalid spec,
 * or a signed version older than the cached one (rollback) is never rendered, and each reason
 * is returned in `rejections`. The rollback floor is the signed version of the last accepted
 * envelope, so a store cannot lower or freeze it. Never throws for remote or cache
 * problems; throws `invalid_input` when the baseline itself is invalid.
 *
 * @example
 * ```ts
 * const { spec, source, rejections } = await loadSpec(
 *   store, 'checkout-banner', 'web', baselineSpec,
 *   createSpecStorage(localStorage), createEd25519Verifier({ '2026-01': PUBLIC_KEY }),
 * );
 * ```
 */
export function loadSpec(options: LoadSpecOptions): Promise<LoadedSpec>;
/** Positional form, as in FactoredUI 0.5. */
export function loadSpec(
  store: FactoredStore,
  name: string,
  platform: Platform,
  baseline: Spec,
  storage: SpecStorage | null | undefined,
  verifier: SpecVerifier,
  options?: Pick<LoadSpecOptions, 'version' | 'rendererVersion'>,
): Promise<LoadedSpec>;
export async function loadSpec(...args: unknown[]): Promise<LoadedSpec> {
  const options = normalizeArgs(args);
  const { store, name, platform, baseline, storage, version } = options;
  assertSpecSlot(name, platform);
  if (!options.verifier || typeof options.verifier.verify !== 'function') {
    throw new FactoredError(
      'invalid_input',
      'loadSpec needs a verifier: createEd25519Verifier(publicKeys), or devSignatureVerifier in development.',
    );
  }
  assertValidSpec(baseline, { rendererVersion: options.rendererVersion ?? RENDERER_VERSION });
  const pinned = version !== undefined;
  const rejections: SpecRejection[] = [];
  const cacheRejections: SpecRejection[] = [];
  const fetchRemote = async (): Promise<StoredSpec | null> => {
    try {
      const found = pinned
        ? await store.getSpec({ name, platform, version })
        : await store.getActiveSpec({ name, platform });
      if (!found) {
        rejections.push({
          source: 'remote',
          reason: 'not_found',
          message: `no active version of "${name}" (${platform}).`,
        });
      }
      return found;
    } catch (cause) {
      rejections.push(
        isFactoredError(cause, 'not_found')
          ? { source: 'remote', reason: 'not_found', message: cause.message }
          : {
              source: 'remote',
              reason: 'unavailable',
              message: `the store could not be read: ${messageOf(cause)}`,
            },
      );
      return null;
    }
  };
  // The cache read (and its re-verification) overlaps the network round trip.
  const [cached, remote] = await Promise.all([readCache(options, cacheRejections), fetchRemote()]);

  if (remote) {
    const verdict = await check(remote, 'remote', options);
    const rollback = verdict.ok && cached ? rollbackProblem(remote, cached, pinned) : null;
    if (!verdict.ok) rejections.push(verdict.rejection);
    else if (rollback)
      rejections.push({
        source: 'remote',
        reason: 'rollback',
        message: rollback,
        version: remote.envelope.version,
      });
    else {
      if (storage && (!cached || cached.envelope.version !== remote.envelope.version)) {
        try {
          await storage.save(
            {
              name,
              platform,
              version: remote.envelope.version,
              envelope: remote.envelope,
              acceptedAt: new Date().toISOString(),
            },
            { pinned },
          );
        } catch (cause) {
          rejections.push({
            source: 'cache',
            reason: 'cache_write_failed',
            message: `the accepted spec could not be cached: ${messageOf(cause)}`,
            version: remote.envelope.version,
          });
        }
      }
      return {
        spec: remote.envelope.spec as unknown as Spec,
        source: 'remote',
        version: remote.envelope.version,
        envelope: remote.envelope,
        keyId: verdict.keyId,
        rejections: [...rejections, ...cacheRejections],
      };
    }
  }
  rejections.push(...cacheRejections);
  if (cached) {
    return fromCache(cached, rejections);
  }
  return {
    spec: baseline,
    source: 'baseline',
    version: null,
    envelope: null,
    keyId: null,
    rejections,
  };
}
