/**
 * Signing and verification of specs, re-exported from their modules: `canonical.ts` (canonical
 * JSON, signed payload, key decoding, envelope checks), `verify.ts` (the client verifier, on
 * WebCrypto) and `sign.ts` (signers, `hashSpec` and the dev verifier, on `@noble/hashes`).
 */
export {
  bytesToBase64url,
  canonicalJson,
  decodeKey,
  envelopeProblem,
  SPEC_SIGNATURE_DOMAIN,
  type SpecSigningFields,
  type SpecVerification,
  type SpecVerificationFailure,
  type SpecVerifier,
  specSigningPayload,
  specVersionProblem,
  unboundEnvelopeProblem,
} from './canonical.js';
export {
  createDevSpecSigner,
  createEd25519Signer,
  DEV_KEY_ID,
  devSignatureVerifier,
  type Ed25519Keypair,
  type Ed25519SignerOptions,
  generateEd25519Keypair,
  getEd25519PublicKey,
  hashSpec,
  type SignSpecOptions,
  type SpecSigner,
} from './sign.js';
export {
  createEd25519Verifier,
  type Ed25519PublicKeys,
  type Ed25519VerifierOptions,
  type HashFunction,
  type SpecHashFunctions,
} from './verify.js';
