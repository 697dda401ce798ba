import * as ed from '@noble/ed25519';

/**
 * Strict Ed25519 verification with one meaning on every platform. The platform's own Ed25519
 * (WebCrypto `crypto.subtle`, OpenSSL/BoringSSL underneath in Node, Deno and browsers) does the
 * work where it exists; `@noble/ed25519`'s point arithmetic is the fallback (React Native,
 * older browsers). Implementations disagree at the edges (non-canonical encodings, small-order
 * points, cofactored or cofactorless equation), so both paths run the same byte checks first
 * and both use the cofactorless equation `[S]B = R + [k]A` that RFC 8032 §5.1.7 allows and
 * WebCrypto specifies:
 *
 * - `S < L` (RFC 8032, no malleable signatures);
 * - `A` and `R` are canonical encodings (`y < p`, and no "negative zero" `x`);
 * - neither `A` nor `R` is one of the 8 points of small order.
 *
 * Everything here is pure: no key, signature or message is stored.
 */

/** The group order L, little-endian bytes. */
const L_LE = [
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/**
 * The canonical encodings of the 8 points of small order (the torsion subgroup): the
 * identity, the point of order 2, two of order 4 and four of order 8. Non-canonical spellings
 * of them are refused by {@link isCanonicalPoint} already. A test derives this list again.
 */
export const SMALL_ORDER_POINTS: readonly string[] = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
];

const hexOf = (bytes: Uint8Array, from: number, to: number): string => {
  let out = '';
  for (let i = from; i < to; i++) out += (bytes[i] as number).toString(16).padStart(2, '0');
  return out;
};

/**
 * True when the 32 bytes at `offset` are the canonical encoding of a y coordinate (`y < p`,
 * p = 2^255 - 19) whose x is not a "negative zero" (x = 0 happens for y = 1 and y = p - 1;
 * their encodings with the sign bit set are non-canonical).
 */
export function isCanonicalPoint(bytes: Uint8Array, offset = 0): boolean {
  const last = (bytes[offset + 31] as number) & 0x7f;
  const sign = (bytes[offset + 31] as number) & 0x80;
  let middleAllOnes = true;
  let middleAllZero = true;
  for (let i = offset + 1; i < offset + 31; i++) {
    const b = bytes[i] as number;
    if (b !== 0xff) middleAllOnes = false;
    if (b !== 0) middleAllZero = false;
  }
  const first = bytes[offset] as number;
  // y >= p: 0x7fff...ff(ed..ff) little-endian.
  if (last === 0x7f && middleAllOnes && first >= 0xed) return false;
  if (sign !== 0) {
    if (last === 0x7f && middleAllOnes && first === 0xec) return false; // y = p - 1, x = 0
    if (last === 0 && middleAllZero && first === 1) return false; // y = 1, x = 0
  }
  return true;
}

/** True when the 32 bytes at `offset` encode a point of small order (see {@link SMALL_ORDER_POINTS}). */
export function isSmallOrderPoint(bytes: Uint8Array, offset = 0): boolean {
  return SMALL_ORDER_POINTS.includes(hexOf(bytes, offset, offset + 32));
}

/** True when the scalar `S` (signature bytes 32..63, little-endian) is below the group order. */
export function isReducedScalar(signature: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const s = signature[32 + i] as number;
    const l = L_LE[i] as number;
    if (s !== l) return s < l;
  }
  return false; // S = L
}

/**
 * The checks both paths make before any curve arithmetic: a 64-byte signature with `S < L`,
 * canonical `A` and `R`, neither of small order. A signature failing them never verifies.
 */
export function passesStrictChecks(signature: Uint8Array, publicKey: Uint8Array): boolean {
  return (
    signature.length === 64 &&
    publicKey.length === 32 &&
    isReducedScalar(signature) &&
    isCanonicalPoint(publicKey) &&
    !isSmallOrderPoint(publicKey) &&
    isCanonicalPoint(signature, 0) &&
    !isSmallOrderPoint(signature, 0)
  );
}

const GROUP_ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;

const littleEndian = (bytes: Uint8Array, from: number, to: number): bigint => {
  let value = 0n;
  for (let i = to - 1; i >= from; i--) value = (value << 8n) | BigInt(bytes[i] as number);
  return value;
};

/** A decoded public key of the JavaScript path. */
export type Ed25519Point = InstanceType<typeof ed.Point>;

/** Decodes a public key strictly (RFC 8032), or `null` when it is not a point on the curve. */
export function decodePoint(publicKey: Uint8Array): Ed25519Point | null {
  try {
    return ed.Point.fromBytes(publicKey, false);
  } catch {
    return null;
  }
}

/**
 * The JavaScript path: `[S]B - [k]A == R` with `@noble/ed25519`'s point arithmetic, where
 * `k = SHA-512(R || A || message) mod L` comes from `sha512` (sync or async) and `point` is
 * `publicKey` decoded by {@link decodePoint}. Call it only after {@link passesStrictChecks}.
 * `R` is compared as bytes: an `R` that is not a curve point never equals a computed one.
 */
export async function verifyInJavaScript(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
  point: Ed25519Point,
  sha512: (bytes: Uint8Array<ArrayBuffer>) => Uint8Array | Promise<Uint8Array>,
): Promise<boolean> {
  const input = new Uint8Array(64 + message.length);
  input.set(signature.subarray(0, 32), 0);
  input.set(publicKey, 32);
  input.set(message, 64);
  const digest = await sha512(input);
  const k = littleEndian(digest, 0, 64) % GROUP_ORDER;
  const s = littleEndian(signature, 32, 64);
  const expectedR = ed.Point.BASE.multiply(s, false).subtract(point.multiply(k, false)).toBytes();
  let diff = 0;
  for (let i = 0; i < 32; i++) diff |= (expectedR[i] as number) ^ (signature[i] as number);
  return diff === 0;
}

/**
 * Imports `publicKey` as a WebCrypto Ed25519 key, or resolves `null` when the platform has no
 * Ed25519 in `crypto.subtle` (then the JavaScript path is used).
 */
export async function importNativeKey(
  publicKey: Uint8Array<ArrayBuffer>,
): Promise<CryptoKey | null> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return null;
  try {
    return await subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
  } catch {
    return null;
  }
}

/**
 * The native path: WebCrypto `verify('Ed25519')`. Call it only after {@link passesStrictChecks};
 * resolves `null` when the platform threw instead of answering (then the caller falls back).
 */
export async function verifyNatively(
  key: CryptoKey,
  signature: Uint8Array<ArrayBuffer>,
  message: Uint8Array<ArrayBuffer>,
): Promise<boolean | null> {
  try {
    return await globalThis.crypto.subtle.verify('Ed25519', key, signature, message);
  } catch {
    return null;
  }
}
