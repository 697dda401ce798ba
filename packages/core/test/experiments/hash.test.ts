import { readFileSync } from 'node:fs';
import {
  assignBucket,
  BUCKET_COUNT,
  bucketUser,
  chiSquareUpperTail,
  chooseVariant,
  coverageBucket,
  isCovered,
  murmur3_32,
} from '@factoredui/core';
import { describe, expect, it } from 'vitest';

interface Vectors {
  murmur3_32: { input: string; seed: number; hash: number }[];
  buckets: { seed: string; userId: string; variantBucket: number; coverageBucket: number }[];
  assignments: {
    experiment: { seed: string; coverage: number; variants: { key: string; weight: number }[] };
    userId: string;
    variant: string | null;
  }[];
}

const vectors = JSON.parse(
  readFileSync(new URL('../../src/experiments/bucketing-vectors.json', import.meta.url), 'utf8'),
) as Vectors;

/** An independent, byte-oriented MurmurHash3 x86_32 over TextEncoder output. */
function referenceMurmur(bytes: Uint8Array, seed: number): number {
  let h = seed >>> 0;
  const blocks = bytes.length >> 2;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < blocks; i++) {
    let k = view.getUint32(i * 4, true);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) >>> 0;
  }
  const tail = blocks * 4;
  let k = 0;
  const rest = bytes.length & 3;
  if (rest > 0) {
    for (let i = rest - 1; i >= 0; i--) k = (k << 8) | (bytes[tail + i] as number);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

describe('murmur3_32', () => {
  it('matches the published MurmurHash3 x86_32 values (smhasher)', () => {
    expect(murmur3_32('', 0)).toBe(0);
    expect(murmur3_32('', 1)).toBe(0x514e28b7);
    expect(murmur3_32('', 0xffffffff)).toBe(0x81f16f39);
    expect(murmur3_32('\u0000\u0000\u0000\u0000', 0)).toBe(0x2362f9de);
    expect(murmur3_32('Hello, world!', 0x9747b28c)).toBe(0x24884cba);
    expect(murmur3_32('The quick brown fox jumps over the lazy dog', 0x9747b28c)).toBe(0x2fa826cd);
    // Non-ASCII input hashes its UTF-8 bytes: 'π' is CF 80.
    expect(murmur3_32('ππππππππ', 0x9747b28c)).toBe(0xd58063c1);
  });

  it('hashes the UTF-8 bytes of any string, as TextEncoder encodes them', () => {
    const encoder = new TextEncoder();
    const samples = [
      '',
      'a',
      'abcde',
      'é',
      'ß€',
      '中文字符',
      '🙂',
      'x🙂y',
      'lone \ud800 high',
      'lone \udc00 low',
      'end \ud83d',
    ];
    let seed = 17;
    for (let i = 0; i < 500; i++) {
      const length = i % 13;
      let s = '';
      for (let j = 0; j < length; j++) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        const pick = seed % 5;
        s +=
          pick === 0
            ? 'a'
            : pick === 1
              ? 'é'
              : pick === 2
                ? '中'
                : pick === 3
                  ? '😀'
                  : String.fromCharCode(0xd800 + (seed % 2048));
      }
      samples.push(s);
    }
    for (const sample of samples) {
      for (const hashSeed of [0, 1, 0x9747b28c]) {
        expect(murmur3_32(sample, hashSeed)).toBe(
          referenceMurmur(encoder.encode(sample), hashSeed),
        );
      }
    }
  });
});

describe('bucketing test vectors (bucketing-vectors.json)', () => {
  it('reproduces every hash', () => {
    expect(vectors.murmur3_32.length).toBeGreaterThan(10);
    for (const v of vectors.murmur3_32) expect(murmur3_32(v.input, v.seed), v.input).toBe(v.hash);
  });
  it('reproduces every variant and coverage bucket', () => {
    expect(vectors.buckets.length).toBeGreaterThan(40);
    for (const v of vectors.buckets) {
      expect(assignBucket(v.seed, v.userId)).toBe(v.variantBucket);
      expect(coverageBucket(v.seed, v.userId)).toBe(v.coverageBucket);
    }
  });
  it('reproduces every assignment, coverage included', () => {
    expect(vectors.assignments.some((a) => a.variant === null)).toBe(true);
    for (const v of vectors.assignments) {
      expect(bucketUser(v.experiment, v.userId)?.key ?? null).toBe(v.variant);
    }
  });
  it('the separator keeps ("ab", "c") and ("a", "bc") apart', () => {
    expect(murmur3_32('ab\u001fc')).not.toBe(murmur3_32('a\u001fbc'));
    const ab = vectors.buckets.find((b) => b.seed === 'ab' && b.userId === 'c');
    const a = vectors.buckets.find((b) => b.seed === 'a' && b.userId === 'bc');
    expect(ab?.variantBucket).not.toBe(a?.variantBucket);
  });
});

describe('bucket distribution', () => {
  const N = 1_000_000;
  const buckets = new Uint16Array(N);
  for (let i = 0; i < N; i++) buckets[i] = assignBucket('uniformity-check', `user-${i}`);

  it('is uniform: chi-square over 1,000,000 ids into 100 bins passes at p > 0.001', () => {
    const bins = new Array<number>(100).fill(0);
    for (const bucket of buckets)
      bins[Math.floor(bucket / 100)] = (bins[Math.floor(bucket / 100)] as number) + 1;
    const expected = N / 100;
    const statistic = bins.reduce(
      (sum, observed) => sum + (observed - expected) ** 2 / expected,
      0,
    );
    const p = chiSquareUpperTail(statistic, 99);
    expect(p).toBeGreaterThan(0.001);
  });

  it('also for UUID-shaped ids and sequential numeric ids', () => {
    for (const make of [
      (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
      (i: number) => String(i),
    ]) {
      const bins = new Array<number>(100).fill(0);
      const n = 200_000;
      for (let i = 0; i < n; i++) {
        const bin = Math.floor(assignBucket('exp', make(i)) / 100);
        bins[bin] = (bins[bin] as number) + 1;
      }
      const statistic = bins.reduce(
        (sum, observed) => sum + (observed - n / 100) ** 2 / (n / 100),
        0,
      );
      expect(chiSquareUpperTail(statistic, 99)).toBeGreaterThan(0.001);
    }
  });

  it('splits 50/50 within 0.5 percentage points', () => {
    const variants = [
      { key: 'control', weight: 50 },
      { key: 'b', weight: 50 },
    ];
    const counts = new Map<string, number>();
    for (const bucket of buckets) {
      const key = chooseVariant(variants, bucket).key;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(Math.abs((counts.get('control') ?? 0) / N - 0.5)).toBeLessThan(0.005);
    expect(Math.abs((counts.get('b') ?? 0) / N - 0.5)).toBeLessThan(0.005);
  });

  it('splits 10/30/60 within 0.5 percentage points', () => {
    const variants = [
      { key: 'control', weight: 10 },
      { key: 'b', weight: 30 },
      { key: 'c', weight: 60 },
    ];
    const counts = new Map<string, number>();
    for (const bucket of buckets) {
      const key = chooseVariant(variants, bucket).key;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const v of variants) {
      expect(Math.abs((counts.get(v.key) ?? 0) / N - v.weight / 100)).toBeLessThan(0.005);
    }
  });
});

describe('coverage', () => {
  const experiment = (coverage: number) => ({
    seed: 'coverage-check',
    coverage,
    variants: [
      { key: 'control', weight: 50 },
      { key: 'b', weight: 50 },
    ],
  });

  it('changing coverage never moves an enrolled user to another variant, and raising it only adds users', () => {
    const levels = [0.05, 0.1, 0.25, 0.5, 0.9, 1];
    for (let i = 0; i < 20_000; i++) {
      const userId = `user-${i}`;
      let previous: string | null = null;
      for (const coverage of levels) {
        const variant = bucketUser(experiment(coverage), userId)?.key ?? null;
        if (previous !== null) expect(variant).toBe(previous);
        previous = variant;
      }
      expect(previous).toBe(bucketUser(experiment(1), userId)?.key);
    }
  });

  it('enrols the configured fraction, independently of the variant bucket', () => {
    const n = 200_000;
    let enrolled = 0;
    let enrolledControl = 0;
    for (let i = 0; i < n; i++) {
      const variant = bucketUser(experiment(0.2), `user-${i}`);
      if (variant) {
        enrolled += 1;
        if (variant.key === 'control') enrolledControl += 1;
      }
    }
    expect(Math.abs(enrolled / n - 0.2)).toBeLessThan(0.005);
    // Independent: the enrolled users still split 50/50.
    expect(Math.abs(enrolledControl / enrolled - 0.5)).toBeLessThan(0.01);
  });

  it('maps coverage to whole buckets', () => {
    expect(isCovered(0.0001, 0)).toBe(true);
    expect(isCovered(0.0001, 1)).toBe(false);
    expect(isCovered(1, BUCKET_COUNT - 1)).toBe(true);
  });

  it('rejects buckets out of range and weights that do not cover every bucket', () => {
    expect(() => chooseVariant([{ weight: 100 }], BUCKET_COUNT)).toThrow(/bucket/);
    expect(() => chooseVariant([{ weight: 50 }], 6000)).toThrow(/sum to 100/);
  });
});
