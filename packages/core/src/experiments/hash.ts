/**
 * The bucketing hash. Specification (docs/experiments.md repeats it for other platforms):
 *
 * - `murmur3_32` is MurmurHash3 x86_32 (Austin Appleby, smhasher) over the **UTF-8** bytes of
 *   the input (a lone UTF-16 surrogate encodes as U+FFFD, as `TextEncoder` does), returned as an
 *   unsigned 32-bit integer.
 * - The input of a user's buckets is `seed + "\u001f" + userId` (U+001F, the ASCII unit
 *   separator, which seeds may not contain, so `("ab", "c")` and `("a", "bc")` differ).
 * - Variant bucket: `murmur3_32(input, 0) mod 10000`.
 * - Coverage bucket: `murmur3_32(input, 1) mod 10000`. A different hash seed makes the two
 *   buckets independent, so changing coverage never moves an enrolled user to another variant.
 * - Layer bucket: `murmur3_32(layerName + "\u001f" + userId, 2) mod 10000`. The layer's name is
 *   its seed, so every experiment of a layer sees the same bucket for a user, and hash seed 2
 *   keeps it independent of the variant and coverage buckets even when a seed equals a layer name.
 * - Holdout bucket: `murmur3_32(holdoutSeed + "\u001f" + userId, 3) mod 10000`; a user is held
 *   out of every experiment when it is below `round(share * 10000)`.
 *
 * Hand-written rather than imported: the JavaScript MurmurHash packages hash UTF-16 code units
 * truncated to bytes, which disagrees with every other platform for non-ASCII ids, and this
 * version encodes UTF-8 on the fly without allocating.
 *
 * @module
 */

/** Number of buckets users are hashed into: weights and coverage resolve to 1/10,000. */
export const BUCKET_COUNT = 10_000;

/** Separator between the seed and the user id in the hashed input (U+001F). */
export const BUCKET_SEPARATOR = '\u001f';

/** The murmur3 hash seed of the variant bucket. */
export const VARIANT_HASH_SEED = 0;
/** The murmur3 hash seed of the coverage bucket. */
export const COVERAGE_HASH_SEED = 1;
/** The murmur3 hash seed of the layer bucket. */
export const LAYER_HASH_SEED = 2;
/** The murmur3 hash seed of the holdout bucket. */
export const HOLDOUT_HASH_SEED = 3;

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/**
 * MurmurHash3 x86_32 of the UTF-8 encoding of `input`, as an unsigned 32-bit integer.
 *
 * @example
 * ```ts
 * murmur3_32('', 1); // 0x514e28b7
 * ```
 */
export function murmur3_32(input: string, seed = 0): number {
  let h = seed | 0;
  let k = 0; // the block being filled, little-endian
  let shift = 0; // bit offset of the next byte in `k`
  let length = 0;
  const n = input.length;
  for (let i = 0; i < n; i++) {
    let code = input.charCodeAt(i);
    if (code < 0x80) {
      // ASCII fast path: one byte, no packing.
      k |= code << shift;
      shift += 8;
      length += 1;
      if (shift === 32) {
        k = Math.imul(k, C1);
        k = (k << 15) | (k >>> 17);
        k = Math.imul(k, C2);
        h ^= k;
        h = (h << 13) | (h >>> 19);
        h = (Math.imul(h, 5) + 0xe6546b64) | 0;
        k = 0;
        shift = 0;
      }
      continue;
    }
    let bytes: number; // up to 4 UTF-8 bytes packed little-endian (first byte lowest)
    let count: number;
    if (code < 0x800) {
      bytes = 0xc0 | (code >> 6) | ((0x80 | (code & 0x3f)) << 8);
      count = 2;
    } else {
      if (code >= 0xd800 && code <= 0xdfff) {
        const next = i + 1 < n ? input.charCodeAt(i + 1) : 0;
        if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
          i++;
        } else {
          code = 0xfffd; // lone surrogate, as TextEncoder does
        }
      }
      if (code < 0x10000) {
        bytes =
          0xe0 |
          (code >> 12) |
          ((0x80 | ((code >> 6) & 0x3f)) << 8) |
          ((0x80 | (code & 0x3f)) << 16);
        count = 3;
      } else {
        bytes =
          0xf0 |
          (code >> 18) |
          ((0x80 | ((code >> 12) & 0x3f)) << 8) |
          ((0x80 | ((code >> 6) & 0x3f)) << 16) |
          ((0x80 | (code & 0x3f)) << 24);
        count = 4;
      }
    }
    for (let b = 0; b < count; b++) {
      k |= ((bytes >>> (b * 8)) & 0xff) << shift;
      shift += 8;
      if (shift === 32) {
        k = Math.imul(k, C1);
        k = (k << 15) | (k >>> 17);
        k = Math.imul(k, C2);
        h ^= k;
        h = (h << 13) | (h >>> 19);
        h = (Math.imul(h, 5) + 0xe6546b64) | 0;
        k = 0;
        shift = 0;
      }
    }
    length += count;
  }
  if (shift > 0) {
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The variant bucket of a user in `[0, 10000)`: `murmur3_32(seed + "\u001f" + userId, 0) mod
 * 10000`. The same on every platform (see the published test vectors).
 */
export function assignBucket(seed: string, userId: string): number {
  return bucketOf(seed, userId, VARIANT_HASH_SEED);
}

/** `murmur3_32(seed + "\u001f" + userId, hashSeed) mod 10000`: every bucket of a user. */
function bucketOf(seed: string, userId: string, hashSeed: number): number {
  return murmur3_32(seed + BUCKET_SEPARATOR + userId, hashSeed) % BUCKET_COUNT;
}

/**
 * The coverage bucket of a user in `[0, 10000)`: like {@link assignBucket} with hash seed 1,
 * independent of the variant bucket. A user is enrolled when it is below `coverage * 10000`.
 */
export function coverageBucket(seed: string, userId: string): number {
  return bucketOf(seed, userId, COVERAGE_HASH_SEED);
}

/**
 * The layer bucket of a user in `[0, 10000)`: `murmur3_32(layer + "\u001f" + userId, 2) mod
 * 10000`. Every experiment of the layer shares it; an experiment of the layer enrols only users
 * whose layer bucket falls in its range, and the ranges of a layer never overlap.
 */
export function layerBucket(layer: string, userId: string): number {
  return bucketOf(layer, userId, LAYER_HASH_SEED);
}

/**
 * The holdout bucket of a user in `[0, 10000)`: `murmur3_32(seed + "\u001f" + userId, 3) mod
 * 10000`. The user is held out of every experiment when it is below `round(share * 10000)`, so
 * raising the share only adds held-out users.
 */
export function holdoutBucket(seed: string, userId: string): number {
  return bucketOf(seed, userId, HOLDOUT_HASH_SEED);
}
