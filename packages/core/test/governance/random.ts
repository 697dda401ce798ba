/** Seeded pseudo-random numbers for reproducible simulations (test helper, not a test). */
export interface Rng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
}

/** mulberry32 (public domain) with Box–Muller normals: fast, seeded, good enough for tests. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  let spare: number | null = null;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    uniform,
    normal() {
      if (spare !== null) {
        const value = spare;
        spare = null;
        return value;
      }
      let u = 0;
      while (u === 0) u = uniform();
      const v = uniform();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
  };
}

/** Mutable sufficient statistics, accumulated one user at a time. */
export interface Accumulator {
  variantKey: string;
  assigned: number;
  n: number;
  sumY: number;
  sumY2: number;
  nX: number;
  sumX: number;
  sumX2: number;
  sumXY: number;
  sumYWithX: number;
}

export function accumulator(variantKey: string): Accumulator {
  return {
    variantKey,
    assigned: 0,
    n: 0,
    sumY: 0,
    sumY2: 0,
    nX: 0,
    sumX: 0,
    sumX2: 0,
    sumXY: 0,
    sumYWithX: 0,
  };
}

/** Adds one user (y, and x when the user has a pre-period value). */
export function addUser(acc: Accumulator, y: number, x: number | null): void {
  acc.assigned += 1;
  acc.n += 1;
  acc.sumY += y;
  acc.sumY2 += y * y;
  if (x !== null) {
    acc.nX += 1;
    acc.sumX += x;
    acc.sumX2 += x * x;
    acc.sumXY += x * y;
    acc.sumYWithX += y;
  }
}
