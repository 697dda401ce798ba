import * as ed from '@noble/ed25519';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import type { Platform } from '../capture/types.js';
import { FactoredError } from '../errors.js';
import { legacyCall } from '../legacy/calls.js';
import { jsonLimitProblem } from '../limits.js';
import type { JsonObject } from '../util/json.js';
import { type TimeInput, toIsoString } from '../util/time.js';
import {
  canonicalBytes,
  canonicalJson,
  checkShapeAndHash,
  decodeKey,
  fail,
  type SpecSigningFields,
  type SpecVerifier,
  specSigningPayload,
  specVersionProblem,
} from './canonical.js';
import type { SignedSpecEnvelope, Spec } from './types.js';
import { assertSpecSlot } from './validate.js';

/**
 * Signing (server, CI, the `factoredui sign` CLI), the synchronous {@link hashSpec} and the
 * development signer and verifier. Hashes in JavaScript with `@noble/hashes`, so it works on
 * every platform; the browser verification path (`verify.ts`) never imports this module.
 */

/** Key id the development signer uses. */
export const DEV_KEY_ID = 'dev';

let hashesReady = false;
// noble-ed25519 ships without SHA-512; wiring @noble/hashes enables its synchronous API on
// every platform (WebCrypto's async SHA-512 is missing on insecure origins and React Native).
function ensureHashes(): void {
  if (hashesReady) return;
  if (!ed.hashes.sha512) ed.hashes.sha512 = sha512;
  hashesReady = true;
}

/** Hex SHA-256 of the canonical JSON of `spec`: the `spec_hash` of an envelope. */
export function hashSpec(spec: unknown): string {
  return bytesToHex(sha256(new TextEncoder().encode(canonicalJson(spec))));
}

/** {@link hashSpec} for a value already known to be plain JSON (skips the second walk). */
const hashCheckedSpec = (spec: JsonObject): string => bytesToHex(sha256(canonicalBytes(spec)));

/** An Ed25519 key pair as hex strings. */
export interface Ed25519Keypair {
  /** 32-byte secret seed, hex. Keep it on the server or in CI secrets only. */
  privateKey: string;
  /** 32-byte public key, hex. Ship it to clients in `createEd25519Verifier`. */
  publicKey: string;
}

/** Generates a new Ed25519 key pair from a cryptographically secure random source. */
export async function generateEd25519Keypair(): Promise<Ed25519Keypair> {
  ensureHashes();
  const secret = randomBytes(32);
  return { privateKey: bytesToHex(secret), publicKey: bytesToHex(ed.getPublicKey(secret)) };
}

/** The public key (hex) of a private key given as hex, base64url or bytes. */
export function getEd25519PublicKey(privateKey: string | Uint8Array): string {
  ensureHashes();
  return bytesToHex(ed.getPublicKey(decodeKey(privateKey, 32, 'An Ed25519 private key')));
}

/**
 * Options of {@link SpecSigner.sign}: the slot and version the signature is bound to. All
 * three are required: an envelope that does not say where and as which version it may be
 * served could be replayed in any slot or relabeled by the store.
 */
export interface SignSpecOptions {
  /** The spec name (slot): loaders refuse it under another name. */
  name: string;
  /** The platform: loaders refuse it on another platform. */
  platform: Platform;
  /**
   * The version, an integer from 1 to `LIMITS.specVersionMax`, above every version already
   * saved for (name, platform) (see `nextSpecVersion`). The store saves it under exactly this
   * version, and clients never accept a lower one after seeing it.
   */
  version: number;
  /** The signing time (default now). */
  signedAt?: TimeInput;
}

/** Something that turns a spec into a {@link SignedSpecEnvelope}. */
export interface SpecSigner {
  /** The key id written into every envelope. */
  readonly keyId: string;
  /**
   * Hashes and signs `spec` (a typed {@link Spec} or plain JSON; validate it first with
   * `validateSpec`) for the slot and version in `options`. Throws `invalid_input` when it is
   * not plain JSON, breaks `LIMITS.specBytes` / `LIMITS.jsonDepth`, or when the name,
   * platform or version is missing or malformed.
   */
  sign(spec: Spec | JsonObject, options: SignSpecOptions): Promise<SignedSpecEnvelope>;
}

/** Options of {@link createEd25519Signer}. */
export interface Ed25519SignerOptions {
  /** 32-byte secret seed as hex, base64url or bytes. */
  privateKey: string | Uint8Array;
  /** Id of the key, matched by verifiers (e.g. `2026-01`). */
  keyId: string;
}

function envelopeFields(
  spec: Spec | JsonObject,
  keyId: string,
  options: SignSpecOptions | undefined,
): SpecSigningFields {
  if (typeof options !== 'object' || options === null)
    throw new FactoredError(
      'invalid_input',
      'sign(spec, { name, platform, version }): an envelope must be bound to a slot and a version.',
    );
  assertSpecSlot(options.name, options.platform);
  const versionProblem = specVersionProblem(options.version);
  if (versionProblem)
    throw new FactoredError('invalid_input', `sign: ${versionProblem}.`, {
      details: { field: 'version' },
    });
  const tooLarge = jsonLimitProblem(spec, 'the spec', 'specBytes');
  if (tooLarge)
    throw new FactoredError('invalid_input', `sign: ${tooLarge}.`, {
      details: { field: 'spec' },
    });
  return {
    spec_hash: hashSpec(spec),
    signed_at: toIsoString(options.signedAt ?? Date.now(), 'signedAt'),
    key_id: keyId,
    name: options.name,
    platform: options.platform,
    version: options.version,
  };
}

/**
 * Creates a signer from an Ed25519 private key. Use it on the server, in CI or in the
 * `factoredui sign` CLI; never ship a private key to clients.
 *
 * @example
 * ```ts
 * const signer = createEd25519Signer({ privateKey: process.env.SPEC_KEY!, keyId: '2026-01' });
 * const envelope = await signer.sign(spec, { name: 'checkout-banner', platform: 'web', version: 3 });
 * ```
 */
export function createEd25519Signer(options: Ed25519SignerOptions): SpecSigner;
/** Positional form, as in FactoredUI 0.5. */
export function createEd25519Signer(privateKey: string | Uint8Array, keyId: string): SpecSigner;
export function createEd25519Signer(
  first: Ed25519SignerOptions | string | Uint8Array,
  second?: string,
): SpecSigner {
  if (typeof first === 'string' && second === undefined) {
    legacyCall(
      'createEd25519Signer(privateKeyBase64)',
      'createEd25519Signer({ privateKey, keyId }) with the hex key of `factoredui keygen --import <0.5.1 key>`',
    );
  }
  const options: Ed25519SignerOptions =
    typeof first === 'string' || first instanceof Uint8Array
      ? { privateKey: first, keyId: second ?? '' }
      : first;
  if (typeof options.keyId !== 'string' || options.keyId.length === 0) {
    throw new FactoredError('invalid_input', 'createEd25519Signer needs a non-empty keyId.');
  }
  const secret = decodeKey(options.privateKey, 32, 'An Ed25519 private key');
  ensureHashes();
  const keyId = options.keyId;
  return {
    keyId,
    async sign(spec, signOptions) {
      const fields = envelopeFields(spec, keyId, signOptions);
      const signature = bytesToHex(ed.sign(specSigningPayload(fields), secret));
      return { spec: structuredClone(spec) as JsonObject, ...fields, signature };
    },
  };
}

/** True when the process or bundle declares `NODE_ENV=production`. */
function isProduction(): boolean {
  try {
    // Written out in full so bundlers that inline `process.env.NODE_ENV` replace it.
    return process.env.NODE_ENV === 'production';
  } catch {
    return false;
  }
}

/**
 * A verifier for development only: it checks the envelope's shape and hash but **not** the
 * signature, so unsigned specs from {@link createDevSpecSigner} load while you iterate. It
 * refuses every envelope (`dev_verifier_in_production`) when `NODE_ENV` is `production`, so
 * shipping it by mistake fails closed instead of trusting anything. It hashes in JavaScript,
 * so it also works without WebCrypto.
 */
export const devSignatureVerifier: SpecVerifier = {
  async verify(envelope) {
    if (isProduction()) {
      return fail(
        'dev_verifier_in_production',
        'devSignatureVerifier refuses to verify when NODE_ENV is production; use createEd25519Verifier with your public keys.',
      );
    }
    const checked = await checkShapeAndHash(envelope, hashCheckedSpec);
    if ('ok' in checked) return checked;
    return { ok: true, keyId: checked.key_id };
  },
};

/**
 * A signer for development: it hashes the spec and writes the envelope but no real signature
 * (`key_id` {@link DEV_KEY_ID}). Only {@link devSignatureVerifier} accepts its output.
 */
export function createDevSpecSigner(): SpecSigner {
  return {
    keyId: DEV_KEY_ID,
    async sign(spec, options) {
      const fields = envelopeFields(spec, DEV_KEY_ID, options);
      return { spec: structuredClone(spec) as JsonObject, ...fields, signature: 'unsigned' };
    },
  };
}
