import { FactoredError } from '../errors.js';
import { jsonLimitProblem, LIMITS } from '../limits.js';
import { canonicalizeJson, isJsonValue, type JsonObject } from '../util/json.js';
import type { SignedSpecEnvelope } from './types.js';

/**
 * What signing and verification share, without any hash implementation: canonical JSON, the
 * signed payload, key decoding and the envelope shape check. The verifier (browser path) and
 * the signer (server, CLI) each bring their own hashing, so this module stays small.
 *
 * - The **hash** is SHA-256 over the UTF-8 bytes of the RFC 8785 canonical JSON of the spec, so
 *   key order and whitespace (which databases change) never change it, and any changed value
 *   does.
 * - The **signature** is Ed25519 (RFC 8032, strict verification) over the UTF-8 bytes of the
 *   canonical JSON of `{ domain, spec_hash, signed_at, key_id, name, platform, version }` (see
 *   {@link specSigningPayload}): the signing time, the key id, the slot the spec is for and its
 *   version cannot be swapped without breaking it, and the `domain` string keeps these
 *   signatures from being valid for anything else signed with the same key (and from being
 *   confused with the unbound `factoredui.spec.v1` payloads of FactoredUI 0.5).
 * - Keys are 32 bytes, given as hex (64 characters) or base64url (43 characters, padding
 *   optional); generated keys are hex. Hashes and signatures are lowercase hex.
 */

/** Domain separation string inside every signing payload. */
export const SPEC_SIGNATURE_DOMAIN = 'factoredui.spec.v2';

/**
 * The RFC 8785 (JCS) canonical JSON of `value`: object keys sorted by UTF-16 code units, no
 * whitespace, ECMAScript number formatting. Throws `invalid_input` for anything that is not
 * plain JSON (undefined, functions, NaN, cycles...).
 */
export function canonicalJson(value: unknown): string {
  if (!isJsonValue(value)) {
    throw new FactoredError(
      'invalid_input',
      'Only plain JSON (finite numbers, strings, booleans, null, arrays, plain objects) can be canonicalized.',
    );
  }
  return canonicalizeJson(value);
}

/** UTF-8 bytes of the canonical JSON of a value already known to be plain JSON. */
export const canonicalBytes = (value: JsonObject) =>
  new TextEncoder().encode(canonicalizeJson(value));

/** Lowercase hex of `bytes`. */
export const toHex = (bytes: Uint8Array): string =>
  Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');

/** Bytes of an even-length hex string (checked by the caller). */
export const fromHex = (hex: string): Uint8Array<ArrayBuffer> =>
  Uint8Array.from({ length: hex.length / 2 }, (_, i) =>
    Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16),
  );

/** The envelope fields the signature covers. */
export type SpecSigningFields = Pick<
  SignedSpecEnvelope,
  'spec_hash' | 'signed_at' | 'key_id' | 'name' | 'platform' | 'version'
>;

/** The exact bytes that are signed for an envelope (see the module notes). */
export function specSigningPayload(fields: SpecSigningFields): Uint8Array<ArrayBuffer> {
  const payload: JsonObject = {
    domain: SPEC_SIGNATURE_DOMAIN,
    spec_hash: fields.spec_hash,
    signed_at: fields.signed_at,
    key_id: fields.key_id,
    name: fields.name,
    platform: fields.platform,
    version: fields.version,
  };
  return new TextEncoder().encode(canonicalJson(payload));
}

/**
 * Why `version` is not a spec version, or `null`: an integer (a JSON number, not a string)
 * from 1 to `LIMITS.specVersionMax`.
 */
export function specVersionProblem(version: unknown): string | null {
  if (
    typeof version !== 'number' ||
    !Number.isInteger(version) ||
    version < 1 ||
    version > LIMITS.specVersionMax
  )
    return `a spec version is an integer from 1 to ${LIMITS.specVersionMax}, got ${typeof version === 'string' ? JSON.stringify(version) : String(version)}`;
  return null;
}

/** What to do with an unbound envelope: the fix named in every message about one. */
export const RESIGN_HINT = 're-sign it with `factoredui sign --name --platform --version`';

/**
 * Why `envelope` is not bound to a slot and version, or `null`: an envelope must carry the
 * `name`, `platform` and `version` it was signed for. FactoredUI 0.5 signed envelopes without
 * them; those are invalid everywhere (stores refuse to save them, clients refuse to render
 * them) and must be re-signed.
 */
export function unboundEnvelopeProblem(envelope: Record<string, unknown>): string | null {
  const missing = (['name', 'platform', 'version'] as const).filter(
    (field) => envelope[field] === undefined || envelope[field] === null,
  );
  if (missing.length === 0) return null;
  return `the envelope is unbound (no signed ${missing.join(', ')}); ${RESIGN_HINT}`;
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

function base64urlToBytes(text: string): Uint8Array {
  const base64 = text.replace(/=+$/, '').replaceAll('-', '+').replaceAll('_', '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

/** Encodes bytes as base64url without padding. */
export function bytesToBase64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/**
 * Decodes a key or signature given as bytes, hex or base64url, checking its length. Throws
 * `invalid_input` naming `what`.
 */
export function decodeKey(value: string | Uint8Array, length: number, what: string): Uint8Array {
  let bytes: Uint8Array | undefined;
  if (value instanceof Uint8Array) bytes = value;
  else if (typeof value === 'string' && value.length === length * 2 && HEX.test(value))
    bytes = fromHex(value);
  else if (typeof value === 'string' && BASE64URL.test(value)) {
    try {
      bytes = base64urlToBytes(value);
    } catch {
      bytes = undefined;
    }
  }
  if (!bytes || bytes.length !== length) {
    throw new FactoredError(
      'invalid_input',
      `${what} must be ${length} bytes as hex (${length * 2} characters) or base64url.`,
    );
  }
  return bytes;
}

/**
 * Why an envelope failed verification. `unbound_envelope`: it carries no signed name,
 * platform or version (FactoredUI 0.5 format); re-sign it. `verification_unavailable`: the verifier has no
 * SHA-256/SHA-512 (no WebCrypto `crypto.subtle`, e.g. React Native or an insecure http page,
 * and no hash functions passed to `createEd25519Verifier`); nothing is trusted then.
 */
export type SpecVerificationFailure =
  | 'unbound_envelope'
  | 'malformed_envelope'
  | 'hash_mismatch'
  | 'unknown_key'
  | 'bad_signature'
  | 'dev_verifier_in_production'
  | 'verification_unavailable';

/** The outcome of {@link SpecVerifier.verify}. Verifiers never throw for a bad envelope. */
export type SpecVerification =
  | { ok: true; keyId: string }
  | { ok: false; reason: SpecVerificationFailure; message: string };

/** Checks an envelope's hash and signature. */
export interface SpecVerifier {
  verify(envelope: unknown): Promise<SpecVerification>;
}

const HASH_HEX = /^[0-9a-f]{64}$/;
const SIGNATURE = /^.{1,256}$/s;
// Mirrors specNameProblem / assertSpecSlot in validate.ts (kept here so verification stays small).
// (LIMITS.specNameChars 128, LIMITS.platformChars 32; a test checks they agree.)
const SPEC_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}$/;
const PLATFORM = /^[A-Za-z0-9_-]{1,32}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

/** A failed {@link SpecVerification}. */
export const fail = (reason: SpecVerificationFailure, message: string): SpecVerification => ({
  ok: false,
  reason,
  message,
});

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Why `envelope` is not a well-formed {@link SignedSpecEnvelope}, or `null`. Checks field
 * types and formats only, not the hash or signature.
 */
export function envelopeProblem(envelope: unknown): string | null {
  if (!isObject(envelope)) return 'an envelope must be an object';
  const unbound = unboundEnvelopeProblem(envelope);
  if (unbound) return unbound;
  if (!isObject(envelope.spec)) return 'envelope.spec must be a plain JSON object';
  // Limits first: a spec nested 10,000 deep must not reach a recursive walk.
  // The measure also refuses everything that is not plain JSON (non-finite numbers, undefined,
  // functions, class instances, cycles), so no second walk is needed.
  const tooBig = jsonLimitProblem(envelope.spec, 'envelope.spec', 'specBytes');
  if (tooBig) return tooBig;
  if (typeof envelope.spec_hash !== 'string' || !HASH_HEX.test(envelope.spec_hash))
    return 'envelope.spec_hash must be 64 lowercase hex characters';
  if (typeof envelope.signature !== 'string' || !SIGNATURE.test(envelope.signature))
    return 'envelope.signature must be a non-empty string of at most 256 characters';
  if (
    typeof envelope.signed_at !== 'string' ||
    !ISO_UTC.test(envelope.signed_at) ||
    !Number.isFinite(Date.parse(envelope.signed_at))
  )
    return 'envelope.signed_at must be an ISO 8601 time';
  if (typeof envelope.key_id !== 'string' || envelope.key_id.length === 0)
    return 'envelope.key_id must be a non-empty string';
  if (envelope.key_id.length > LIMITS.keyIdChars)
    return `envelope.key_id is ${envelope.key_id.length} characters long; the limit is ${LIMITS.keyIdChars} (LIMITS.keyIdChars)`;
  if (typeof envelope.name !== 'string' || !SPEC_NAME.test(envelope.name))
    return `envelope.name is not a spec name: ${JSON.stringify(envelope.name)}`;
  if (typeof envelope.platform !== 'string' || !PLATFORM.test(envelope.platform))
    return `envelope.platform is not a platform: ${JSON.stringify(envelope.platform)}`;
  const version = specVersionProblem(envelope.version);
  if (version) return `envelope.version: ${version}`;
  return null;
}

/**
 * Checks the envelope's shape (no hashing): the envelope, typed, or the failure
 * (`unbound_envelope`, `malformed_envelope`).
 */
export function checkShape(envelope: unknown): SpecVerification | SignedSpecEnvelope {
  if (isObject(envelope)) {
    const unbound = unboundEnvelopeProblem(envelope);
    if (unbound) return fail('unbound_envelope', `${unbound}.`);
  }
  const problem = envelopeProblem(envelope);
  if (problem) return fail('malformed_envelope', `${problem}.`);
  return envelope as SignedSpecEnvelope;
}

/** The failure for a spec whose canonical hash `actual` is not the envelope's `spec_hash`. */
export function hashMismatch(envelope: SignedSpecEnvelope, actual: string): SpecVerification {
  return fail(
    'hash_mismatch',
    `spec_hash ${envelope.spec_hash} does not match the spec (its canonical hash is ${actual}): the spec was changed after signing.`,
  );
}

/**
 * Checks the envelope's shape and its `spec_hash` against `actualHash` (the hex SHA-256 of
 * the canonical spec, computed by the caller's hash): the envelope, or the failure.
 */
export async function checkShapeAndHash(
  envelope: unknown,
  actualHash: (spec: JsonObject) => string | Promise<string>,
): Promise<SpecVerification | SignedSpecEnvelope> {
  const env = checkShape(envelope);
  if ('ok' in env) return env;
  // checkShape already checked that the spec is plain JSON.
  const actual = await actualHash(env.spec);
  return actual === env.spec_hash ? env : hashMismatch(env, actual);
}
