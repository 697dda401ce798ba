import { FactoredError } from '../errors.js';
import type { JsonObject } from '../util/json.js';
import {
  canonicalBytes,
  checkShape,
  decodeKey,
  fail,
  fromHex,
  hashMismatch,
  isObject,
  type SpecVerification,
  type SpecVerifier,
  specSigningPayload,
  toHex,
} from './canonical.js';
import {
  decodePoint,
  type Ed25519Point,
  importNativeKey,
  passesStrictChecks,
  verifyInJavaScript,
  verifyNatively,
} from './ed25519.js';

/**
 * Client-side verification of signed specs. The signature is checked by the platform's Ed25519
 * (WebCrypto `crypto.subtle`: browsers, Node 20+, Deno, Bun) where it has one, else by
 * `@noble/ed25519`'s point arithmetic, with the same strict rules on both paths (`ed25519.ts`).
 * SHA-256 of the canonical spec (and SHA-512 on the JavaScript path) come from WebCrypto, so no
 * JavaScript hash implementation ships on this path. Hosts without WebCrypto pass hash
 * functions (e.g. from `@noble/hashes`); without either, every envelope is refused.
 */

/** A synchronous hash function, e.g. `sha256` or `sha512` from `@noble/hashes/sha2.js`. */
export type HashFunction = (message: Uint8Array) => Uint8Array;

/**
 * Hash functions for hosts without WebCrypto (React Native, pages served over insecure http).
 * Each one given replaces `crypto.subtle` for that hash.
 */
export interface SpecHashFunctions {
  sha256?: HashFunction;
  sha512?: HashFunction;
}

/** Public keys by key id, each 32 bytes as hex, base64url or bytes. */
export type Ed25519PublicKeys =
  | Readonly<Record<string, string | Uint8Array>>
  | readonly { keyId: string; publicKey: string | Uint8Array }[];

/** Options of {@link createEd25519Verifier}. */
export interface Ed25519VerifierOptions extends SpecHashFunctions {
  /** The trusted public keys by key id. */
  keys: Ed25519PublicKeys;
  /**
   * Verify signatures with the platform's Ed25519 (WebCrypto) when it has one (default
   * `true`); `false` always uses the JavaScript implementation. Both give the same answer on
   * every input; the native one is about 10x faster.
   */
  nativeEd25519?: boolean;
}

/** A trusted key and what verifying with it needs, prepared on first use. */
interface TrustedKey {
  /** A copy of the key: the caller's array may change later. */
  bytes: Uint8Array<ArrayBuffer>;
  /** The imported WebCrypto key, `null` when the platform has no Ed25519. */
  native?: Promise<CryptoKey | null>;
  /** The decoded point for the JavaScript path, `null` when the bytes are not a curve point. */
  point?: Ed25519Point | null;
}

const UNAVAILABLE =
  'WebCrypto (crypto.subtle) is not available here (React Native, or a page not served over https), so no spec can be verified: pass { sha256, sha512 } (e.g. from @noble/hashes/sha2.js) to createEd25519Verifier.';

const messageOf = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause));

/**
 * Creates a verifier that accepts envelopes signed by any of `keys`, looked up by the
 * envelope's `key_id`. To rotate, ship the new public key next to the old one, sign new specs
 * with the new key, then drop the old key once no active spec uses it.
 *
 * Signatures are checked with WebCrypto's Ed25519 where the platform has it, else in
 * JavaScript (`nativeEd25519: false` forces that); both apply RFC 8032 strictly and agree on
 * every input. Hashing uses WebCrypto (`crypto.subtle`). Where it is missing, pass
 * `{ sha256, sha512 }` (as options or the second argument); otherwise every envelope fails
 * closed with `verification_unavailable`. A given `sha512` is used only when the signature is
 * checked in JavaScript.
 *
 * @example
 * ```ts
 * const verifier = createEd25519Verifier({ '2026-01': PUBLIC_KEY_HEX });
 * const result = await verifier.verify(envelope); // { ok: true, keyId: '2026-01' }
 * // React Native:
 * import { sha256, sha512 } from '@noble/hashes/sha2.js';
 * createEd25519Verifier({ keys: { '2026-01': PUBLIC_KEY_HEX }, sha256, sha512 });
 * ```
 */
export function createEd25519Verifier(
  keys: Ed25519PublicKeys | Ed25519VerifierOptions,
  hashes: SpecHashFunctions = {},
): SpecVerifier {
  const options =
    !Array.isArray(keys) && isObject(keys) && 'keys' in keys && typeof keys.keys === 'object'
      ? (keys as unknown as Ed25519VerifierOptions)
      : undefined;
  const source = options ? options.keys : (keys as Ed25519PublicKeys);
  const sha256 = hashes.sha256 ?? options?.sha256;
  const sha512 = hashes.sha512 ?? options?.sha512;
  for (const [name, fn] of [
    ['sha256', sha256],
    ['sha512', sha512],
  ] as const) {
    if (fn !== undefined && typeof fn !== 'function')
      throw new FactoredError(
        'invalid_input',
        `createEd25519Verifier: ${name} must be a function.`,
      );
  }
  const entries: [string, string | Uint8Array][] = Array.isArray(source)
    ? source.map((k: { keyId: string; publicKey: string | Uint8Array }) => [k.keyId, k.publicKey])
    : Object.entries(source as Record<string, string | Uint8Array>);
  if (entries.length === 0)
    throw new FactoredError(
      'invalid_input',
      'createEd25519Verifier needs at least one public key.',
    );
  const nativeEd25519 = options?.nativeEd25519 ?? true;
  if (typeof nativeEd25519 !== 'boolean')
    throw new FactoredError(
      'invalid_input',
      'createEd25519Verifier: nativeEd25519 must be true or false.',
    );
  const table = new Map<string, TrustedKey>();
  for (const [keyId, publicKey] of entries) {
    if (typeof keyId !== 'string' || keyId.length === 0)
      throw new FactoredError('invalid_input', 'Every public key needs a non-empty key id.');
    table.set(keyId, { bytes: Uint8Array.from(decodeKey(publicKey, 32, `Public key "${keyId}"`)) });
  }

  const hashSpecAsync = async (spec: JsonObject): Promise<string> => {
    const bytes = canonicalBytes(spec);
    if (sha256) return toHex(sha256(bytes));
    return toHex(new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes)));
  };

  const subtleSha512 = async (bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> =>
    new Uint8Array(await globalThis.crypto.subtle.digest('SHA-512', bytes));

  const verifySignature = async (
    signature: Uint8Array<ArrayBuffer>,
    message: Uint8Array<ArrayBuffer>,
    key: TrustedKey,
  ): Promise<boolean> => {
    // Edge cases first, identically for both paths (see ed25519.ts).
    if (!passesStrictChecks(signature, key.bytes)) return false;
    if (nativeEd25519 && globalThis.crypto?.subtle) {
      key.native ??= importNativeKey(key.bytes);
      const cryptoKey = await key.native;
      if (cryptoKey) {
        const valid = await verifyNatively(cryptoKey, signature, message);
        if (valid !== null) return valid;
      }
    }
    if (key.point === undefined) key.point = decodePoint(key.bytes);
    if (key.point === null) return false;
    return verifyInJavaScript(signature, message, key.bytes, key.point, sha512 ?? subtleSha512);
  };

  return {
    async verify(envelope): Promise<SpecVerification> {
      // Fail closed, before looking at the envelope, when nothing can hash.
      if ((!sha256 || !sha512) && !globalThis.crypto?.subtle)
        return fail('verification_unavailable', UNAVAILABLE);
      const checked = checkShape(envelope);
      if ('ok' in checked) return checked;
      const trusted = table.get(checked.key_id);
      // The signature covers the envelope's spec_hash, not the spec, so it is checked while the
      // spec is hashed (two WebCrypto jobs at once, one wait instead of two); both must hold,
      // and failures are reported in the order of a sequential check: the hash first.
      const [actual, signed] = await Promise.allSettled([
        hashSpecAsync(checked.spec),
        trusted && /^[0-9a-f]{128}$/.test(checked.signature)
          ? verifySignature(fromHex(checked.signature), specSigningPayload(checked), trusted)
          : false,
      ]);
      if (actual.status === 'rejected')
        return fail('verification_unavailable', `SHA-256 failed: ${messageOf(actual.reason)}`);
      if (actual.value !== checked.spec_hash) return hashMismatch(checked, actual.value);
      if (!trusted) {
        return fail(
          'unknown_key',
          `key_id "${checked.key_id}" is not among the trusted keys (${[...table.keys()].join(', ')}); add its public key to the verifier or re-sign the spec.`,
        );
      }
      // Lengths are checked before, so only a SHA-512 provider can throw here.
      if (signed.status === 'rejected')
        return fail('verification_unavailable', `SHA-512 failed: ${messageOf(signed.reason)}`);
      return signed.value
        ? { ok: true, keyId: checked.key_id }
        : fail(
            'bad_signature',
            `the signature does not verify with key "${checked.key_id}": the envelope was altered or signed with another key.`,
          );
    },
  };
}
