import { createEd25519Verifier, type Ed25519PublicKeys, type SpecVerifier } from '@factoredui/core';
import { sha256, sha512 } from '@noble/hashes/sha2.js';

/** A synchronous hash function: message bytes in, digest bytes out. */
export type NativeHashFunction = (message: Uint8Array) => Uint8Array;

/** SHA-256 and SHA-512, as `createEd25519Verifier` accepts them in place of WebCrypto. */
export interface NativeHashFunctions {
  sha256?: NativeHashFunction;
  sha512?: NativeHashFunction;
}

/** Options of {@link createNativeSpecVerifier}. */
export interface NativeSpecVerifierOptions {
  /**
   * Hash functions to use instead of the bundled ones, e.g. a native module's (each must be
   * synchronous and return the digest bytes).
   */
  hashes?: NativeHashFunctions;
  /**
   * Use WebCrypto (`crypto.subtle`) when the runtime has it. Default `false`: Hermes and
   * JavaScriptCore on React Native have no `crypto.subtle`, and a polyfill that provides a
   * partial one would be trusted with a security check; the audited `@noble/hashes`
   * implementations give the same digests everywhere.
   */
  preferWebCrypto?: boolean;
}

/**
 * `createEd25519Verifier` for React Native: the same checks (canonical SHA-256 of the spec,
 * Ed25519 signature, trusted key ids, signed slot and version), with SHA-256 and SHA-512
 * injected from `@noble/hashes` because Hermes has no WebCrypto. Without them the core
 * verifier fails closed there (`verification_unavailable`) and every spec falls back to the
 * bundled baseline.
 *
 * @example
 * ```tsx
 * const verifier = createNativeSpecVerifier({ '2026-01': PUBLIC_KEY_HEX });
 * const { spec } = useSpec('home-hero', { baseline, verifier, storage });
 * return <SpecView spec={spec} context={{ actions }} />;
 * ```
 */
export function createNativeSpecVerifier(
  keys: Ed25519PublicKeys,
  options: NativeSpecVerifierOptions = {},
): SpecVerifier {
  const webCrypto =
    options.preferWebCrypto === true &&
    typeof (globalThis as { crypto?: { subtle?: unknown } }).crypto?.subtle === 'object';
  const hashes: NativeHashFunctions = webCrypto ? {} : { sha256, sha512, ...options.hashes };
  return createEd25519Verifier({ keys, ...hashes });
}
