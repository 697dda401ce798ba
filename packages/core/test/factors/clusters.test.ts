import {
  buildFactorVectors,
  chooseK,
  createSeededRandom,
  DEFAULT_CLUSTER_FACTORS,
  FACTOR_NAMES,
  FactoredError,
  type FactorValue,
  kMeans,
  queryClusterMembers,
  queryUserCluster,
  silhouetteScore,
} from '@factoredui/core';
import { describe, expect, it } from 'vitest';
import { untouchableStore } from './stub-store.js';

function blobs(centers: number[][], perBlob: number, seed: number): number[][] {
  const random = createSeededRandom(seed);
  const points: number[][] = [];
  for (let i = 0; i < perBlob; i += 1)
    for (const c of centers) points.push(c.map((x) => x + (random() - 0.5)));
  return points;
}

describe('createSeededRandom', () => {
  it('is deterministic per seed and stays in [0, 1)', () => {
    const a = createSeededRandom(42);
    const b = createSeededRandom(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(createSeededRandom(43)()).not.toBe(xs[0]);
  });
});

describe('kMeans', () => {
  it('recovers well-separated clusters, labeled in order of first point', () => {
    const points = blobs(
      [
        [0, 0],
        [10, 10],
        [-10, 10],
      ],
      20,
      3,
    );
    const result = kMeans(points, { k: 3, seed: 9 });
    expect(result.converged).toBe(true);
    // Points cycle through the three blobs, so labels are 0, 1, 2, 0, 1, 2, ...
    expect(result.assignments).toEqual(points.map((_, i) => i % 3));
    expect(result.centroids[1]?.[0]).toBeCloseTo(10, 0);
    expect(result.distances.every((d) => d < 1)).toBe(true);
  });

  it('is deterministic for a seed', () => {
    const points = blobs(
      [
        [0, 0, 0],
        [1, 1, 1],
        [2, 0, 1],
      ],
      30,
      5,
    );
    expect(kMeans(points, { k: 4, seed: 7 })).toEqual(kMeans(points, { k: 4, seed: 7 }));
  });

  it('handles duplicate points and k = n without empty clusters', () => {
    const points = [
      [1, 1],
      [1, 1],
      [1, 1],
      [5, 5],
    ];
    const result = kMeans(points, { k: 4, seed: 1 });
    expect(new Set(result.assignments).size).toBe(4);
    expect(result.inertia).toBe(0);
  });

  it('rejects bad k and non-finite points with invalid_input', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return (e as FactoredError).code;
      }
      return 'no error';
    };
    expect(code(() => kMeans([[1], [2]], { k: 3 }))).toBe('invalid_input');
    expect(code(() => kMeans([[1], [2]], { k: 0 }))).toBe('invalid_input');
    expect(code(() => kMeans([[1], [Number.NaN]], { k: 1 }))).toBe('invalid_input');
    expect(code(() => kMeans([[1], [2, 3]], { k: 1 }))).toBe('invalid_input');
    expect(code(() => kMeans([], { k: 1 }))).toBe('invalid_input');
  });
});

describe('silhouetteScore and chooseK', () => {
  it('matches the definition on a hand-computed example', () => {
    // a = 1 for every point; b = 10.5, 9.5, 9.5, 10.5.
    const expected = (2 * (1 - 1 / 10.5) + 2 * (1 - 1 / 9.5)) / 4;
    expect(silhouetteScore([[0], [1], [10], [11]], [0, 0, 1, 1])).toBeCloseTo(expected, 12);
    expect(silhouetteScore([[0], [1]], [0, 0])).toBeNaN();
  });

  it('chooses k = 3 for three blobs', () => {
    const points = blobs(
      [
        [0, 0],
        [8, 0],
        [0, 8],
      ],
      15,
      11,
    );
    const result = chooseK(points, { min: 2, max: 5, seed: 1 });
    expect(result.k).toBe(3);
    expect(result.scores.map((s) => s.k)).toEqual([2, 3, 4, 5]);
    expect(result.silhouette).toBe(Math.max(...result.scores.map((s) => s.silhouette)));
  });
});

const v = (user: string, path: string, factor: string, value: number): FactorValue => ({
  userId: user,
  path,
  factor: factor as FactorValue['factor'],
  value,
  asOf: '2026-01-08T00:00:00.000Z',
});

describe('buildFactorVectors', () => {
  it('uses catalog order, averages paths, imputes the mean and standardizes', () => {
    const built = buildFactorVectors(
      [
        v('u2', 'a', 'error_rate', 0.2),
        v('u1', 'a', 'error_rate', 0),
        v('u1', 'b', 'error_rate', 0.2), // u1 mean 0.1
        v('u3', 'a', 'error_rate', 0.3),
        v('u1', 'a', 'completion_rate', 1),
        v('u2', 'a', 'completion_rate', 0),
        // u3 has no completion_rate: imputed with the mean
      ],
      ['error_rate', 'completion_rate'],
    );
    expect(built.userIds).toEqual(['u1', 'u2', 'u3']);
    expect(built.factors).toEqual(['completion_rate', 'error_rate']);
    expect(built.means[0]).toBeCloseTo(0.5, 12);
    expect(built.means[1]).toBeCloseTo(0.2, 12);
    expect(built.vectors[2]?.[0]).toBe(0);
    const errorColumn = built.vectors.map((row) => row[1] as number);
    expect(errorColumn.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 12);
    const sd = Math.sqrt(errorColumn.reduce((a, b) => a + b * b, 0) / 3);
    expect(sd).toBeCloseTo(1, 12);
  });

  it('defaults to the factors with a direction and rejects unknown names', () => {
    expect(DEFAULT_CLUSTER_FACTORS).toEqual(FACTOR_NAMES.slice(0, 8));
    expect(() => buildFactorVectors([], ['nope' as 'error_rate'])).toThrow(FactoredError);
  });
});

describe('cluster queries validate before reaching the store', () => {
  it('rejects a bad user id or cluster id with invalid_input', async () => {
    await expect(queryUserCluster(untouchableStore(), '')).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(queryClusterMembers(untouchableStore(), -1)).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(queryClusterMembers(untouchableStore(), 0.5)).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });
});
