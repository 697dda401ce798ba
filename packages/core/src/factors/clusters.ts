import { FactoredError } from '../errors.js';
import { legacyCall } from '../legacy/calls.js';
import type { FactoredStore } from '../store/contract.js';
import { assertFactorNames, FACTOR_CATALOG } from './catalog.js';
import type { ClusterAssignment, FactorName, FactorValue } from './types.js';
import { assertClusterId, normalizeTime } from './validate.js';

/**
 * A deterministic pseudo-random generator (mulberry32) returning numbers in [0, 1). Same
 * seed, same sequence, on every platform.
 */
export function createSeededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function squaredDistance(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) {
    const d = (a[i] as number) - (b[i] as number);
    sum += d * d;
  }
  return sum;
}

/** Options of {@link kMeans}. */
export interface KMeansOptions {
  /** Number of clusters, 1 <= k <= number of points. */
  k: number;
  /** Seed of the k-means++ initialization (default 1). Same seed and input, same result. */
  seed?: number;
  /** Lloyd iterations at most (default 100). */
  maxIterations?: number;
}

/** Result of {@link kMeans}. */
export interface KMeansResult {
  k: number;
  /** Cluster of each point, numbered 0..k-1 in order of each cluster's first point. */
  assignments: number[];
  /** Centroid of each cluster. */
  centroids: number[][];
  /** Euclidean distance of each point to its centroid. */
  distances: number[];
  /** Sum of squared distances to the centroids. */
  inertia: number;
  /** Lloyd iterations run. */
  iterations: number;
  /** `true` when assignments stopped changing before `maxIterations`. */
  converged: boolean;
}

function assertPoints(points: readonly (readonly number[])[]): number {
  if (!Array.isArray(points) || points.length === 0) {
    throw new FactoredError('invalid_input', 'kMeans needs at least one point.');
  }
  const dims = (points[0] as readonly number[]).length;
  points.forEach((p, i) => {
    if (!Array.isArray(p) || p.length !== dims || !p.every((x) => Number.isFinite(x))) {
      throw new FactoredError(
        'invalid_input',
        `points[${i}] must be an array of ${dims} finite numbers (impute missing values first).`,
      );
    }
  });
  return dims;
}

/**
 * k-means with k-means++ initialization from a seeded generator, then Lloyd iterations until
 * the assignments stop changing. Deterministic: a point moves only to a strictly closer
 * centroid (first assignment: lowest index on ties), an emptied cluster is re-seeded with the
 * farthest point of a cluster that has two or more (lowest index on ties), and clusters are
 * relabeled in order of their first point.
 *
 * @example
 * ```ts
 * const { assignments, centroids } = kMeans([[0, 0], [0, 1], [9, 9], [9, 8]], { k: 2, seed: 7 });
 * // assignments: [0, 0, 1, 1]
 * ```
 */
export function kMeans(
  points: readonly (readonly number[])[],
  options: KMeansOptions,
): KMeansResult {
  if (typeof options === 'number') {
    legacyCall(
      'kMeans(points, k, seed)',
      'kMeans(points, { k, seed }), which returns { k, assignments, centroids, distances, inertia, ... } (0.5.1: { labels, centroids, iterations })',
    );
  }
  const dims = assertPoints(points);
  const n = points.length;
  const { k, seed = 1, maxIterations = 100 } = options;
  if (!Number.isInteger(k) || k < 1 || k > n) {
    throw new FactoredError(
      'invalid_input',
      `kMeans: k must be an integer between 1 and the number of points (${n}), got ${k}.`,
    );
  }
  if (!Number.isInteger(maxIterations) || maxIterations < 1) {
    throw new FactoredError('invalid_input', 'kMeans: maxIterations must be a positive integer.');
  }
  const random = createSeededRandom(seed);

  // k-means++: first center uniform, then proportional to squared distance to the nearest.
  const centerIndexes: number[] = [Math.min(n - 1, Math.floor(random() * n))];
  const nearest = points.map((p) =>
    squaredDistance(p, points[centerIndexes[0] as number] as number[]),
  );
  while (centerIndexes.length < k) {
    let total = 0;
    for (const d of nearest) total += d;
    let chosen = -1;
    if (total > 0) {
      let r = random() * total;
      for (let i = 0; i < n; i += 1) {
        r -= nearest[i] as number;
        if (r < 0 && (nearest[i] as number) > 0) {
          chosen = i;
          break;
        }
      }
      // Floating-point leftovers: take the last point with a positive weight.
      if (chosen === -1)
        for (let i = n - 1; i >= 0 && chosen === -1; i -= 1)
          if ((nearest[i] as number) > 0) chosen = i;
    } else {
      // Every point coincides with a center: take the lowest index not yet a center.
      const used = new Set(centerIndexes);
      for (let i = 0; i < n && chosen === -1; i += 1) if (!used.has(i)) chosen = i;
    }
    centerIndexes.push(chosen);
    const center = points[chosen] as readonly number[];
    for (let i = 0; i < n; i += 1) {
      const d = squaredDistance(points[i] as readonly number[], center);
      if (d < (nearest[i] as number)) nearest[i] = d;
    }
  }
  let centroids = centerIndexes.map((i) => [...(points[i] as readonly number[])]);

  const assignments = new Array<number>(n).fill(-1);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations += 1;
    let changed = false;
    for (let i = 0; i < n; i += 1) {
      const p = points[i] as readonly number[];
      // A point keeps its cluster unless another is strictly closer (so duplicates settle);
      // otherwise ties go to the lowest index.
      const current = assignments[i] as number;
      let best = Math.max(current, 0);
      let bestD = squaredDistance(p, centroids[best] as number[]);
      for (let c = 0; c < k; c += 1) {
        const d = squaredDistance(p, centroids[c] as number[]);
        if (d < bestD) {
          bestD = d;
          best = c;
        }
      }
      if (current !== best) {
        assignments[i] = best;
        changed = true;
      }
    }
    const sums = Array.from({ length: k }, () => new Array<number>(dims).fill(0));
    const counts = new Array<number>(k).fill(0);
    for (let i = 0; i < n; i += 1) {
      const c = assignments[i] as number;
      counts[c] = (counts[c] as number) + 1;
      const p = points[i] as readonly number[];
      const sum = sums[c] as number[];
      for (let d = 0; d < dims; d += 1) sum[d] = (sum[d] as number) + (p[d] as number);
    }
    const next = sums.map((sum, c) =>
      (counts[c] as number) > 0 ? sum.map((x) => x / (counts[c] as number)) : null,
    );
    for (let c = 0; c < k; c += 1) {
      if (next[c] !== null) continue;
      // Re-seed an empty cluster with the point farthest from its centroid, taken from a
      // cluster with at least two points (one exists, since k <= n); lowest index on ties.
      let far = -1;
      let farD = -1;
      for (let i = 0; i < n; i += 1) {
        const own = assignments[i] as number;
        if ((counts[own] as number) < 2) continue;
        const d = squaredDistance(points[i] as readonly number[], next[own] as number[]);
        if (d > farD) {
          farD = d;
          far = i;
        }
      }
      const from = assignments[far] as number;
      counts[from] = (counts[from] as number) - 1;
      counts[c] = 1;
      next[c] = [...(points[far] as readonly number[])];
      assignments[far] = c;
      changed = true;
    }
    centroids = next as number[][];
    if (!changed) {
      converged = true;
      break;
    }
  }

  // Canonical labels: clusters numbered in order of their first point.
  const relabel = new Map<number, number>();
  for (const c of assignments) if (!relabel.has(c)) relabel.set(c, relabel.size);
  for (let c = 0; c < k; c += 1) if (!relabel.has(c)) relabel.set(c, relabel.size);
  const labeled = assignments.map((c) => relabel.get(c) as number);
  const orderedCentroids = new Array<number[]>(k);
  for (const [from, to] of relabel) orderedCentroids[to] = centroids[from] as number[];
  let inertia = 0;
  const distances = labeled.map((c, i) => {
    const d = squaredDistance(points[i] as readonly number[], orderedCentroids[c] as number[]);
    inertia += d;
    return Math.sqrt(d);
  });
  return {
    k,
    assignments: labeled,
    centroids: orderedCentroids,
    distances,
    inertia,
    iterations,
    converged,
  };
}

/** Options of {@link silhouetteScore}. */
export interface SilhouetteOptions {
  /**
   * Above this many points, the score is computed on a seeded random sample of this size
   * (the exact score is O(n²)). Default 2000.
   */
  sampleSize?: number;
  /** Seed of the sample (default 1). */
  seed?: number;
}

/**
 * Mean silhouette coefficient of a clustering, in [-1, 1] (higher: tighter, better separated
 * clusters). A point alone in its cluster scores 0. `NaN` when fewer than two clusters are
 * used.
 */
export function silhouetteScore(
  points: readonly (readonly number[])[],
  assignments: readonly number[],
  options: SilhouetteOptions = {},
): number {
  assertPoints(points);
  if (assignments.length !== points.length) {
    throw new FactoredError('invalid_input', 'silhouetteScore: one assignment per point.');
  }
  const { sampleSize = 2000, seed = 1 } = options;
  let indexes = points.map((_, i) => i);
  if (indexes.length > sampleSize) {
    const random = createSeededRandom(seed);
    // Partial Fisher-Yates: the first `sampleSize` entries are a uniform sample.
    for (let i = 0; i < sampleSize; i += 1) {
      const j = i + Math.floor(random() * (indexes.length - i));
      [indexes[i], indexes[j]] = [indexes[j] as number, indexes[i] as number];
    }
    indexes = indexes.slice(0, sampleSize).sort((a, b) => a - b);
  }
  const clusters = new Set(indexes.map((i) => assignments[i] as number));
  if (clusters.size < 2) return Number.NaN;
  let total = 0;
  for (const i of indexes) {
    const own = assignments[i] as number;
    const sums = new Map<number, { sum: number; count: number }>();
    for (const j of indexes) {
      if (j === i) continue;
      const c = assignments[j] as number;
      const d = Math.sqrt(
        squaredDistance(points[i] as readonly number[], points[j] as readonly number[]),
      );
      const entry = sums.get(c) ?? { sum: 0, count: 0 };
      entry.sum += d;
      entry.count += 1;
      sums.set(c, entry);
    }
    const ownEntry = sums.get(own);
    if (!ownEntry) continue; // alone in its cluster: s = 0
    const a = ownEntry.sum / ownEntry.count;
    let b = Number.POSITIVE_INFINITY;
    for (const [c, entry] of sums) if (c !== own) b = Math.min(b, entry.sum / entry.count);
    const denominator = Math.max(a, b);
    total += denominator === 0 ? 0 : (b - a) / denominator;
  }
  return total / indexes.length;
}

/** Result of {@link chooseK}: the best clustering by silhouette. */
export interface ChooseKResult extends KMeansResult {
  silhouette: number;
  /** Silhouette of every k tried. */
  scores: { k: number; silhouette: number }[];
}

/**
 * Runs {@link kMeans} for every k in `[min, max]` (max capped at points - 1) and returns the
 * clustering with the highest silhouette; ties go to the smaller k.
 */
export function chooseK(
  points: readonly (readonly number[])[],
  options: { min?: number; max?: number; seed?: number; maxIterations?: number } = {},
): ChooseKResult {
  const { min = 2, seed = 1, maxIterations = 100 } = options;
  const max = Math.min(options.max ?? 6, points.length - 1);
  if (!Number.isInteger(min) || min < 2 || !Number.isInteger(max) || max < min) {
    throw new FactoredError(
      'invalid_input',
      `chooseK: need integers 2 <= min <= max < number of points (${points.length}); got min ${min}, max ${options.max ?? 6}.`,
    );
  }
  let best: ChooseKResult | null = null;
  const scores: { k: number; silhouette: number }[] = [];
  for (let k = min; k <= max; k += 1) {
    const result = kMeans(points, { k, seed, maxIterations });
    const silhouette = silhouetteScore(points, result.assignments, { seed });
    scores.push({ k, silhouette });
    const score = Number.isNaN(silhouette) ? -Infinity : silhouette;
    if (best === null || score > (Number.isNaN(best.silhouette) ? -Infinity : best.silhouette))
      best = { ...result, silhouette, scores };
  }
  return best as ChooseKResult;
}

/** Factors clustered by default: those with a direction (alarm and diagnostic), in catalog order. */
export const DEFAULT_CLUSTER_FACTORS: readonly FactorName[] = Object.freeze(
  FACTOR_CATALOG.filter((entry) => entry.direction !== null).map((entry) => entry.name),
);

/** Standardized factor vectors of users, as {@link buildFactorVectors} returns them. */
export interface FactorVectors {
  /** User ids, sorted; `vectors[i]` belongs to `userIds[i]`. */
  userIds: string[];
  /** The factor of each vector dimension, in catalog order. */
  factors: FactorName[];
  /** z-scores per dimension; a user's missing factor is imputed with the mean (z = 0). */
  vectors: number[][];
  /** Mean of each dimension over the users that have it. */
  means: number[];
  /** Population standard deviation of each dimension (0: the dimension is all zeros). */
  stddevs: number[];
}

/**
 * Builds one fixed-order, standardized vector per user from factor values. A user's value of
 * a factor is the mean over their paths (pass only one path's values to cluster on a path).
 * Missing values are imputed with the dimension mean, then every dimension is standardized to
 * z-scores (a constant dimension becomes 0).
 */
export function buildFactorVectors(
  values: Iterable<FactorValue>,
  factors: readonly FactorName[] = DEFAULT_CLUSTER_FACTORS,
): FactorVectors {
  assertFactorNames(factors, 'factors');
  const ordered = FACTOR_CATALOG.map((e) => e.name).filter((name) => factors.includes(name));
  const dim = new Map(ordered.map((name, i) => [name, i]));
  const perUser = new Map<string, { sum: number[]; count: number[] }>();
  for (const value of values) {
    const d = dim.get(value.factor);
    if (d === undefined) continue;
    let entry = perUser.get(value.userId);
    if (!entry) {
      entry = { sum: new Array(ordered.length).fill(0), count: new Array(ordered.length).fill(0) };
      perUser.set(value.userId, entry);
    }
    entry.sum[d] = (entry.sum[d] as number) + value.value;
    entry.count[d] = (entry.count[d] as number) + 1;
  }
  const userIds = [...perUser.keys()].sort();
  const raw = userIds.map((id) => {
    const { sum, count } = perUser.get(id) as { sum: number[]; count: number[] };
    return sum.map((s, d) => ((count[d] as number) > 0 ? s / (count[d] as number) : Number.NaN));
  });
  const means = ordered.map((_, d) => {
    let sum = 0;
    let count = 0;
    for (const row of raw) {
      const x = row[d] as number;
      if (!Number.isNaN(x)) {
        sum += x;
        count += 1;
      }
    }
    return count > 0 ? sum / count : 0;
  });
  const stddevs = ordered.map((_, d) => {
    let squares = 0;
    for (const row of raw) {
      const x = Number.isNaN(row[d] as number) ? (means[d] as number) : (row[d] as number);
      squares += (x - (means[d] as number)) ** 2;
    }
    return raw.length > 0 ? Math.sqrt(squares / raw.length) : 0;
  });
  const vectors = raw.map((row) =>
    row.map((x, d) => {
      const sd = stddevs[d] as number;
      if (Number.isNaN(x) || sd === 0) return 0;
      return (x - (means[d] as number)) / sd;
    }),
  );
  return { userIds, factors: ordered, vectors, means, stddevs };
}

/** Options of {@link computeClusters}. */
export interface ComputeClustersOptions {
  /** Number of clusters. When omitted, k is chosen by silhouette over `kRange`. */
  k?: number;
  /** Range of k tried when `k` is omitted (default `[2, 6]`). */
  kRange?: readonly [number, number];
  /** Seed of k-means++ (default 1). */
  seed?: number;
  /** Factors of the vector (default {@link DEFAULT_CLUSTER_FACTORS}). */
  factors?: readonly FactorName[];
  /** Cluster on this path's values only (default: the mean over every path of a user). */
  path?: string;
  /** `computedAt` of the stored assignments (default: `asOf` of the current values). */
  computedAt?: string;
}

/** Result of {@link computeClusters}. */
export interface ComputeClustersResult {
  k: number;
  /** Silhouette of the stored clustering (`NaN` for k = 1). */
  silhouette: number;
  factors: FactorName[];
  /** Centroids in standardized units, one per cluster. */
  centroids: number[][];
  /** What was stored. */
  assignments: ClusterAssignment[];
}

/**
 * Clusters users by their current factors and stores the result (service role): reads the
 * current values, builds standardized vectors ({@link buildFactorVectors}), runs seeded
 * {@link kMeans} (or {@link chooseK}), and replaces the stored assignments. Deterministic for
 * the same values and options. Throws `insufficient_data` when there are fewer users than k
 * (or than 3 when choosing k).
 */
export async function computeClusters(
  store: FactoredStore,
  options: ComputeClustersOptions = {},
): Promise<ComputeClustersResult> {
  const factors = options.factors ?? DEFAULT_CLUSTER_FACTORS;
  const values = await store.getFactors(options.path === undefined ? {} : { path: options.path });
  const built = buildFactorVectors(values, factors);
  const n = built.userIds.length;
  const needed = options.k ?? Math.max(3, options.kRange?.[0] ?? 2);
  if (n < needed) {
    throw new FactoredError(
      'insufficient_data',
      `computeClusters: ${n} users have factors, at least ${needed} are needed; recompute factors first or lower k.`,
    );
  }
  const seed = options.seed ?? 1;
  let result: KMeansResult;
  let silhouette: number;
  if (options.k !== undefined) {
    result = kMeans(built.vectors, { k: options.k, seed });
    silhouette =
      options.k > 1 ? silhouetteScore(built.vectors, result.assignments, { seed }) : Number.NaN;
  } else {
    const [min, max] = options.kRange ?? [2, 6];
    const chosen = chooseK(built.vectors, { min, max, seed });
    result = chosen;
    silhouette = chosen.silhouette;
  }
  const computedAt = normalizeTime(
    options.computedAt ?? values[0]?.asOf ?? new Date().toISOString(),
    'computedAt',
  );
  const assignments = built.userIds.map((userId, i) => ({
    userId,
    clusterId: result.assignments[i] as number,
    distance: result.distances[i] as number,
    computedAt,
  }));
  await store.storeClusters(assignments);
  return {
    k: result.k,
    silhouette,
    factors: built.factors,
    centroids: result.centroids,
    assignments,
  };
}

/** The stored cluster of a user, or `null` when none. */
export async function queryUserCluster(
  store: FactoredStore,
  userId: string,
): Promise<ClusterAssignment | null> {
  if (typeof userId !== 'string' || userId === '') {
    throw new FactoredError(
      'invalid_input',
      'queryUserCluster: userId must be a non-empty string.',
    );
  }
  return store.getUserCluster(userId);
}

/** The members of a stored cluster, sorted by user id. */
export async function queryClusterMembers(
  store: FactoredStore,
  clusterId: number,
): Promise<ClusterAssignment[]> {
  assertClusterId(clusterId);
  return store.getClusterMembers(clusterId);
}
