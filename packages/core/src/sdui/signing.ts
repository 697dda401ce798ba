import * as ed from '@noble/ed25519';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, randomBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import canonicalize from 'canonicalize';
import type { Platform } from '../capture/types.js';
import { FactoredError } from '../errors.js';
import { isJsonValue, type JsonObject } from '../util/json.js';
import { type TimeInput, toIsoString } from '../util/time.js';
import type { SignedSpecEnvelope, Spec } from './types.js';

/**
 * Signing and verification of specs.
 *
 * - The **hash** is SHA-256 over the UTF-8 bytes of the RFC 8785 canonical JSON of the spec, so
 *   key order and whitespace (which databases change) never change it, and any changed value
 *   does.
 * - The **signature** is Ed25519 (RFC 8032, strict verification) over the UTF-8 bytes of the
 *   canonical JSON of `{ domain, spec_hash, signed_at, key_id, name?, platform? }` (see
 *   {@link specSigningPayload}): the signing time, the key id and the slot the spec is for
 *   cannot be swapped without breaking it, and the `domain` string keeps these signatures from
 *   being valid for anything else signed with the same key.
 * - Keys are 32 bytes, given as hex (64 characters) or base64url (43 characters, padding
 *   optional); generated keys are hex. Hashes and signatures are lowercase hex.
 */

/** Domain separation string inside every signing payload. */
export const SPEC_SIGNATURE_DOMAIN = 'factoredui.spec.v1';

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
  return canonicalize(value) as string;
}

/** Hex SHA-256 of the canonical JSON of `spec`: the `spec_hash` of an envelope. */
export function hashSpec(spec: unknown): string {
  return bytesToHex(sha256(utf8ToBytes(canonicalJson(spec))));
}

/** {@link hashSpec} for a value already known to be plain JSON (skips the second walk). */
function hashCheckedSpec(spec: JsonObject): string {
  return bytesToHex(sha256(utf8ToBytes(canonicalize(spec) as string)));
}

/** The envelope fields the signature covers. */
export type SpecSigningFields = Pick<
  SignedSpecEnvelope,
  'spec_hash' | 'signed_at' | 'key_id' | 'name' | 'platform'
>;

/** The exact bytes that are signed for an envelope (see the module notes). */
export function specSigningPayload(fields: SpecSigningFields): Uint8Array {
  const payload: JsonObject = {
    domain: SPEC_SIGNATURE_DOMAIN,
    spec_hash: fields.spec_hash,
    signed_at: fields.signed_at,
    key_id: fields.key_id,
  };
  if (fields.name !== undefined) payload.name = fields.name;
  if (fields.platform !== undefined) payload.platform = fields.platform;
  return utf8ToBytes(canonicalJson(payload));
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
    bytes = hexToBytes(value);
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

/** Options of {@link SpecSigner.sign}. */
export interface SignSpecOptions {
  /** Bind the signature to this spec name: loaders refuse it under another name. */
  name?: string;
  /** Bind the signature to this platform. */
  platform?: Platform;
  /** The signing time (default now). */
  signedAt?: TimeInput;
}

/** Something that turns a spec into a {@link SignedSpecEnvelope}. */
export interface SpecSigner {
  /** The key id written into every envelope. */
  readonly keyId: string;
  /**
   * Hashes and signs `spec` (a typed {@link Spec} or plain JSON; validate it first with
   * `validateSpec`). Throws `invalid_input` when it is not plain JSON.
   */
  sign(spec: Spec | JsonObject, options?: SignSpecOptions): Promise<SignedSpecEnvelope>;
}

/** Options of {@link createEd25519Signer}. */
export interface Ed25519SignerOptions {
  /** 32-byte secret seed as hex, base64url or bytes. */
  privateKey: string | Uint8Array;
  /** Id of the key, matched by verifiers (e.g. `2026-01`). */
  keyId: string;
}

function envelopeFields(spec: Spec | JsonObject, keyId: string, options: SignSpecOptions) {
  const fields: SpecSigningFields = {
    spec_hash: hashSpec(spec),
    signed_at: toIsoString(options.signedAt ?? Date.now(), 'signedAt'),
    key_id: keyId,
  };
  if (options.name !== undefined) fields.name = options.name;
  if (options.platform !== undefined) fields.platform = options.platform;
  return fields;
}

/**
 * Creates a signer from an Ed25519 private key. Use it on the server, in CI or in the
 * `factoredui sign` CLI; never ship a private key to clients.
 *
 * @example
 * ```ts
 * const signer = createEd25519Signer({ privateKey: process.env.SPEC_KEY!, keyId: '2026-01' });
 * const envelope = await signer.sign(spec, { name: 'checkout-banner', platform: 'web' });
 * ```
 */
export function createEd25519Signer(options: Ed25519SignerOptions): SpecSigner;
/** Positional form, as in FactoredUI 0.5. */
export function createEd25519Signer(privateKey: string | Uint8Array, keyId: string): SpecSigner;
export function createEd25519Signer(
  first: Ed25519SignerOptions | string | Uint8Array,
  second?: string,
): SpecSigner {
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
    async sign(spec, signOptions = {}) {
      const fields = envelopeFields(spec, keyId, signOptions);
      const signature = bytesToHex(ed.sign(specSigningPayload(fields), secret));
      return { spec: structuredClone(spec) as JsonObject, ...fields, signature };
    },
  };
}

/** Why an envelope failed verification. */
export type SpecVerificationFailure =
  | 'malformed_envelope'
  | 'hash_mismatch'
  | 'unknown_key'
  | 'bad_signature'
  | 'dev_verifier_in_production';

/** The outcome of {@link SpecVerifier.verify}. Verifiers never throw for a bad envelope. */
export type SpecVerification =
  | { ok: true; keyId: string }
  | { ok: false; reason: SpecVerificationFailure; message: string };

/** Checks an envelope's hash and signature. */
export interface SpecVerifier {
  verify(envelope: unknown): Promise<SpecVerification>;
}

const HASH_HEX = /^[0-9a-f]{64}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

const fail = (reason: SpecVerificationFailure, message: string): SpecVerification => ({
  ok: false,
  reason,
  message,
});

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Why `envelope` is not a well-formed {@link SignedSpecEnvelope}, or `null`. Checks field
 * types and formats only, not the hash or signature.
 */
export function envelopeProblem(envelope: unknown): string | null {
  if (!isObject(envelope)) return 'an envelope must be an object';
  if (!isObject(envelope.spec) || !isJsonValue(envelope.spec))
    return 'envelope.spec must be a plain JSON object';
  if (typeof envelope.spec_hash !== 'string' || !HASH_HEX.test(envelope.spec_hash))
    return 'envelope.spec_hash must be 64 lowercase hex characters';
  if (typeof envelope.signature !== 'string' || envelope.signature.length === 0)
    return 'envelope.signature must be a non-empty string';
  if (
    typeof envelope.signed_at !== 'string' ||
    !ISO_UTC.test(envelope.signed_at) ||
    !Number.isFinite(Date.parse(envelope.signed_at))
  )
    return 'envelope.signed_at must be an ISO 8601 time';
  if (typeof envelope.key_id !== 'string' || envelope.key_id.length === 0)
    return 'envelope.key_id must be a non-empty string';
  if (envelope.name !== undefined && typeof envelope.name !== 'string')
    return 'envelope.name must be a string when present';
  if (envelope.platform !== undefined && typeof envelope.platform !== 'string')
    return 'envelope.platform must be a string when present';
  return null;
}

function checkShapeAndHash(envelope: unknown): SpecVerification | SignedSpecEnvelope {
  const problem = envelopeProblem(envelope);
  if (problem) return fail('malformed_envelope', `${problem}.`);
  const env = envelope as SignedSpecEnvelope;
  // envelopeProblem already checked that the spec is plain JSON.
  const actual = hashCheckedSpec(env.spec);
  if (actual !== env.spec_hash) {
    return fail(
      'hash_mismatch',
      `spec_hash ${env.spec_hash} does not match the spec (its canonical hash is ${actual}): the spec was changed after signing.`,
    );
  }
  return env;
}

/** Public keys by key id, each 32 bytes as hex, base64url or bytes. */
export type Ed25519PublicKeys =
  | Readonly<Record<string, string | Uint8Array>>
  | readonly { keyId: string; publicKey: string | Uint8Array }[];

/**
 * Creates a verifier that accepts envelopes signed by any of `keys`, looked up by the
 * envelope's `key_id`. To rotate, ship the new public key next to the old one, sign new specs
 * with the new key, then drop the old key once no active spec uses it.
 *
 * @example
 * ```ts
 * const verifier = createEd25519Verifier({ '2026-01': PUBLIC_KEY_HEX });
 * const result = await verifier.verify(envelope); // { ok: true, keyId: '2026-01' }
 * ```
 */
export function createEd25519Verifier(
  keys: Ed25519PublicKeys | { keys: Ed25519PublicKeys },
): SpecVerifier {
  const source =
    !Array.isArray(keys) && isObject(keys) && 'keys' in keys && typeof keys.keys === 'object'
      ? (keys.keys as Ed25519PublicKeys)
      : (keys as Ed25519PublicKeys);
  const entries: [string, string | Uint8Array][] = Array.isArray(source)
    ? source.map((k: { keyId: string; publicKey: string | Uint8Array }) => [k.keyId, k.publicKey])
    : Object.entries(source as Record<string, string | Uint8Array>);
  if (entries.length === 0)
    throw new FactoredError(
      'invalid_input',
      'createEd25519Verifier needs at least one public key.',
    );
  const table = new Map<string, Uint8Array>();
  for (const [keyId, publicKey] of entries) {
    if (typeof keyId !== 'string' || keyId.length === 0)
      throw new FactoredError('invalid_input', 'Every public key needs a non-empty key id.');
    table.set(keyId, decodeKey(publicKey, 32, `Public key "${keyId}"`));
  }
  ensureHashes();
  return {
    async verify(envelope) {
      const checked = checkShapeAndHash(envelope);
      if ('ok' in checked) return checked;
      const publicKey = table.get(checked.key_id);
      if (!publicKey) {
        return fail(
          'unknown_key',
          `key_id "${checked.key_id}" is not among the trusted keys (${[...table.keys()].join(', ')}); add its public key to the verifier or re-sign the spec.`,
        );
      }
      let valid = false;
      if (/^[0-9a-f]{128}$/.test(checked.signature)) {
        try {
          valid = ed.verify(hexToBytes(checked.signature), specSigningPayload(checked), publicKey, {
            zip215: false,
          });
        } catch {
          valid = false;
        }
      }
      return valid
        ? { ok: true, keyId: checked.key_id }
        : fail(
            'bad_signature',
            `the signature does not verify with key "${checked.key_id}": the envelope was altered or signed with another key.`,
          );
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
 * shipping it by mistake fails closed instead of trusting anything.
 */
export const devSignatureVerifier: SpecVerifier = {
  async verify(envelope) {
    if (isProduction()) {
      return fail(
        'dev_verifier_in_production',
        'devSignatureVerifier refuses to verify when NODE_ENV is production; use createEd25519Verifier with your public keys.',
      );
    }
    const checked = checkShapeAndHash(envelope);
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
    async sign(spec, options = {}) {
      const fields = envelopeFields(spec, DEV_KEY_ID, options);
      return { spec: structuredClone(spec) as JsonObject, ...fields, signature: 'unsigned' };
    },
  };
}
