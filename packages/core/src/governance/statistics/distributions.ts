/**
 * Distribution functions used by the governance statistics. Our own implementations, pure ESM
 * with no dependencies, so bundlers drop them from consumers that never run governance code:
 *
 * - normal quantile: Wichura's AS241 (PPND16), relative error about 1e-16;
 * - log-gamma: the Lanczos approximation (g ≈ 6.0247, 13 terms, as in Boost and CPython) below 10,
 *   Stirling's series from 10 on; the series also gives `ln Γ(a + 1/2) − ln Γ(a)` without
 *   cancellation for large `a`;
 * - Student's t tail: the regularized incomplete beta `I_x(df/2, 1/2)` with `x = df/(df + t²)`,
 *   by its continued fraction in the form of DiDonato and Morris (1992; modified Lentz), through
 *   `I_x(a, b) = 1 − I_{1−x}(b, a)` past the mean; `x` and `1 − x` are both formed directly,
 *   never by subtraction, so large degrees of freedom lose nothing;
 * - Student's t quantile: Hill's approximation (1970, ACM algorithm 396) as the start, then
 *   Newton steps on the log of the tail in `ln |t|`, safeguarded by bisection;
 * - chi-square upper tail: the regularized upper incomplete gamma `Q(df/2, x/2)`, by its series
 *   below `a + 1` and its continued fraction (modified Lentz) above, computed as an upper tail
 *   so tiny p-values keep their precision.
 *
 * Above 1e12 degrees of freedom Student's t is taken as the standard normal (difference ~1e-12).
 * Accuracy is checked against SciPy reference values in test/governance/distributions.test.ts
 * (relative error at most 1e-9 asserted; the implementations reach about 1e-13).
 */

/** Above this many degrees of freedom Student's t equals the standard normal to ~1e-12. */
const NORMAL_LIMIT_DF = 1e12;
const EPSILON = Number.EPSILON;
/** Guards the modified Lentz recurrences against division by zero. */
const TINY = 1e-300;
const MAX_ITERATIONS = 1_000_000;
const LN_SQRT_PI = 0.5723649429247001; // ln √π
const LN_SQRT_2PI = 0.9189385332046728; // ln √(2π)

// ---------------------------------------------------------------------------------------------
// Normal quantile
// ---------------------------------------------------------------------------------------------

// Wichura's AS241 (PPND16) coefficients, constant term first: the central region |p − 1/2| ≤
// 0.425 (A/B), then r = √(−ln min(p, 1 − p)) ≤ 5 (C/D) and beyond (E/F).
const AS241_A = [
  3.3871328727963665, 133.14166789178438, 1971.5909503065513, 13731.69376550946, 45921.95393154987,
  67265.7709270087, 33430.57558358813, 2509.0809287301227,
];
const AS241_B = [
  1, 42.31333070160091, 687.1870074920579, 5394.196021424751, 21213.794301586597, 39307.89580009271,
  28729.085735721943, 5226.495278852546,
];
const AS241_C = [
  1.4234371107496835, 4.630337846156546, 5.769497221460691, 3.6478483247632045, 1.2704582524523684,
  0.2417807251774506, 0.022723844989269184, 0.0007745450142783414,
];
const AS241_D = [
  1, 2.053191626637759, 1.6763848301838038, 0.6897673349851, 0.14810397642748008,
  0.015198666563616457, 0.0005475938084995345, 1.0507500716444169e-9,
];
const AS241_E = [
  6.657904643501103, 5.463784911164114, 1.7848265399172913, 0.29656057182850487,
  0.026532189526576124, 0.0012426609473880784, 2.7115555687434876e-5, 2.0103343992922881e-7,
];
const AS241_F = [
  1, 0.599832206555888, 0.1369298809227358, 0.014875361290850615, 0.0007868691311456133,
  1.8463183175100548e-5, 1.421511758316446e-7, 2.0442631033899397e-15,
];

/** Evaluates the polynomial with `coefficients` (constant term first) at `x` (Horner). */
function polynomial(coefficients: readonly number[], x: number): number {
  let sum = 0;
  for (let i = coefficients.length - 1; i >= 0; i--) sum = sum * x + coefficients[i]!;
  return sum;
}

/** The `p`-quantile of the standard normal distribution (Wichura 1988, AS241 PPND16). */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * polynomial(AS241_A, r)) / polynomial(AS241_B, r);
  }
  // 1 − p is exact for p ≥ 1/2.
  const r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  const value =
    r <= 5
      ? polynomial(AS241_C, r - 1.6) / polynomial(AS241_D, r - 1.6)
      : polynomial(AS241_E, r - 5) / polynomial(AS241_F, r - 5);
  return q < 0 ? -value : value;
}

// ---------------------------------------------------------------------------------------------
// Log-gamma
// ---------------------------------------------------------------------------------------------

const LANCZOS_G = 6.02468004077673;
const LANCZOS_NUM = [
  23531376880.41076, 42919803642.6491, 35711959237.35567, 17921034426.03721, 6039542586.352028,
  1439720407.3117216, 248874557.86205417, 31426415.585400194, 2876370.6289353725,
  186056.26539522348, 8071.672002365816, 210.82427775157936, 2.5066282746310002,
];
const LANCZOS_DEN = [
  0, 39916800, 120543840, 150917976, 105258076, 45995730, 13339535, 2637558, 357423, 32670, 1925,
  66, 1,
];

/** The Lanczos rational sum, evaluated in the direction that keeps it stable. */
function lanczosSum(x: number): number {
  let num = 0;
  let den = 0;
  const n = LANCZOS_NUM.length;
  if (x < 5) {
    for (let i = n - 1; i >= 0; i--) {
      num = num * x + LANCZOS_NUM[i]!;
      den = den * x + LANCZOS_DEN[i]!;
    }
  } else {
    for (let i = 0; i < n; i++) {
      num = num / x + LANCZOS_NUM[i]!;
      den = den / x + LANCZOS_DEN[i]!;
    }
  }
  return num / den;
}

/**
 * `ln Γ(z) − ((z − 1/2) ln z − z + ln √(2π))`, Stirling's series; for `z ≥ 10` the first omitted
 * term is below 3e-17.
 */
function stirlingCorrection(z: number): number {
  const w = 1 / (z * z);
  return (
    (1 / 12 +
      w *
        (-1 / 360 +
          w * (1 / 1260 + w * (-1 / 1680 + w * (1 / 1188 + w * (-691 / 360360 + w / 156)))))) /
    z
  );
}

/** `ln Γ(x)` for `x > 0`. */
function logGamma(x: number): number {
  if (x >= 10) return (x - 0.5) * Math.log(x) - x + LN_SQRT_2PI + stirlingCorrection(x);
  if (x === 1 || x === 2) return 0;
  return Math.log(lanczosSum(x)) - LANCZOS_G + (x - 0.5) * (Math.log(x + LANCZOS_G - 0.5) - 1);
}

/** `ln B(a, 1/2) = ln Γ(a) + ln √π − ln Γ(a + 1/2)`, without cancellation for large `a`. */
function logBetaHalf(a: number): number {
  if (a < 10) return logGamma(a) + LN_SQRT_PI - logGamma(a + 0.5);
  const ratio =
    0.5 * Math.log(a) +
    (a * Math.log1p(0.5 / a) - 0.5) +
    stirlingCorrection(a + 0.5) -
    stirlingCorrection(a);
  return LN_SQRT_PI - ratio;
}

// ---------------------------------------------------------------------------------------------
// Student's t
// ---------------------------------------------------------------------------------------------

/**
 * The continued fraction of the regularized incomplete beta in the form of DiDonato and Morris
 * (1992, BFRAC, as in Boost): `I_x(a, b) = x^a y^b / B(a, b) / (β₀ + α₁/(β₁ + α₂/(β₂ + …)))`
 * with `y = 1 − x`. Its terms use `y` directly, so it stays exact when `x` is close to 1 and
 * converges in a few dozen steps for `x` below the mean `a/(a + b)`. Modified Lentz.
 */
function betaContinuedFraction(a: number, b: number, x: number, y: number): number {
  let f = ((a * y - b * x + 1) * a) / (a + 1);
  if (f === 0) f = TINY;
  let c = f;
  let d = 0;
  for (let m = 1; m <= MAX_ITERATIONS; m++) {
    const k = a + 2 * m - 1;
    const alpha = ((a + m - 1) * (a + b + m - 1) * m * (b - m) * x * x) / (k * k);
    const beta =
      m + (m * (b - m) * x) / k + ((a + m) * (a * y - b * x + 1 + m * (1 + y))) / (k + 2);
    d = beta + alpha * d;
    if (d === 0) d = TINY;
    c = beta + alpha / c;
    if (c === 0) c = TINY;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) <= EPSILON) break;
  }
  return f;
}

interface TTail {
  /** `ln(2 · P(T ≤ −s)) = ln I_x(df/2, 1/2)`. */
  logTwoTails: number;
  /** `ln(s · f(s))`, `f` the density: `x^a (1 − x)^(1/2) / B(a, 1/2)` with `a = df/2`. */
  logSlope: number;
}

/** Both tails of Student's t beyond `±s` (`s > 0`, finite), in logs. */
function studentTTails(s: number, df: number): TTail {
  const a = df / 2;
  const r = s / Math.sqrt(df);
  // x = 1/(1 + r²), y = 1 − x = r²/(1 + r²), each formed directly.
  let logX: number;
  let logY: number;
  let x: number;
  let y: number;
  if (r > 1e150) {
    logX = -2 * Math.log(r);
    logY = 0;
    x = Math.exp(logX);
    y = 1;
  } else {
    const r2 = r * r;
    x = 1 / (1 + r2);
    y = r2 / (1 + r2);
    logX = r2 < 1 ? -Math.log1p(r2) : -Math.log(r2) - Math.log1p(1 / r2);
    logY = r2 > 1 ? -Math.log1p(1 / r2) : Math.log(r2) - Math.log1p(r2);
  }
  const logSlope = a * logX + 0.5 * logY - logBetaHalf(a);
  // Below the mean of Beta(a, 1/2) the fraction for I_x(a, 1/2) converges fast; above it use
  // I_x(a, 1/2) = 1 − I_y(1/2, a), which is then at least about 1/2 (no cancellation).
  if ((a + 0.5) * y > 0.5) {
    return { logTwoTails: logSlope - Math.log(betaContinuedFraction(a, 0.5, x, y)), logSlope };
  }
  const complement = Math.exp(logSlope) / betaContinuedFraction(0.5, a, y, x);
  return { logTwoTails: Math.log1p(-complement), logSlope };
}

/**
 * Hill's (1970) approximation of `s > 0` with `P(|T_df| > s) = twoSided`, in `ln s`; only a
 * starting point for the Newton steps.
 */
function hillLogStart(twoSided: number, df: number): number {
  const a = 1 / (df - 0.5);
  const b = 48 / (a * a);
  let c = ((20700 * (a / b) - 98) * a - 16) * a + 96.36;
  const d = ((94.5 / (b + c) - 3) / b + 1) * Math.sqrt((a * Math.PI) / 2) * df;
  const logY = (2 / df) * (Math.log(d) + Math.log(twoSided));
  let y = Math.exp(logY);
  if (!(y >= EPSILON)) return 0.5 * Math.log(df) - 0.5 * logY;
  if ((df < 2.1 && twoSided > 0.5) || y > 0.05 + a) {
    const x = normalQuantile(0.5 * twoSided);
    y = x * x;
    if (df < 5) c += 0.3 * (df - 4.5) * (x + 0.6);
    c = (((0.05 * d * x - 5) * x - 7) * x - 2) * x + b + c;
    y = (((((0.4 * y + 6.3) * y + 36) * y + 94.5) / c - y - 3) / b + 1) * x;
    y = Math.expm1(a * y * y);
  } else {
    y =
      ((1 / (((df + 6) / (df * y) - 0.089 * d - 0.822) * (df + 2) * 3) + 0.5 / (df + 4)) * y - 1) *
        ((df + 1) / (df + 2)) +
      1 / y;
  }
  return 0.5 * Math.log(df * y);
}

/** `s > 0` with `P(T_df ≤ −s) = tail`, for `0 < tail < 1/2`. */
function studentTTailQuantile(tail: number, df: number): number {
  const target = Math.log(2 * tail);
  let w = hillLogStart(2 * tail, df);
  if (!Number.isFinite(w)) w = 0;
  // The root lies in (lo, hi) in w = ln s; the log tail decreases as w grows.
  let lo = Number.NEGATIVE_INFINITY;
  let hi = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 200; i++) {
    const { logTwoTails, logSlope } = studentTTails(Math.exp(w), df);
    const excess = logTwoTails - target;
    if (excess === 0) break;
    if (excess > 0) lo = w;
    else hi = w;
    // d/dw ln(2·tail) = −s·f(s)/tail.
    const derivative = -2 * Math.exp(logSlope - logTwoTails);
    let next = w - excess / derivative;
    if (!(next > lo && next < hi)) {
      if (Number.isFinite(lo) && Number.isFinite(hi)) next = 0.5 * (lo + hi);
      else next = excess > 0 ? w + 2 : w - 2;
    }
    const step = Math.abs(next - w);
    w = next;
    if (step <= 1e-14 * Math.max(1, Math.abs(w)) || hi - lo <= 4 * EPSILON * Math.abs(w)) break;
  }
  return Math.exp(w);
}

/** The `p`-quantile of Student's t with `df` degrees of freedom (`df` may be fractional). */
export function studentTQuantile(p: number, df: number): number {
  if (Number.isNaN(p) || Number.isNaN(df) || p < 0 || p > 1 || df <= 0) return Number.NaN;
  if (df > NORMAL_LIMIT_DF) return normalQuantile(p);
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  if (p === 0.5) return 0;
  // 1 − p is exact for p ≥ 1/2, so the upper half loses nothing by symmetry.
  return p < 0.5 ? -studentTTailQuantile(p, df) : studentTTailQuantile(1 - p, df);
}

/**
 * Two-sided p-value of a t statistic: `2 * P(T_df <= -|t|)`, computed from the tail so small
 * p-values keep their precision.
 */
export function studentTTwoSidedPValue(t: number, df: number): number {
  if (Number.isNaN(t) || Number.isNaN(df) || df <= 0) return Number.NaN;
  if (t === 0) return 1;
  // Normal limit: P(|Z| ≥ |t|) = P(χ²₁ ≥ t²).
  if (df > NORMAL_LIMIT_DF) return chiSquareUpperTail(t * t, 1);
  const s = Math.abs(t);
  if (s === Number.POSITIVE_INFINITY) return 0;
  return Math.min(1, Math.exp(studentTTails(s, df).logTwoTails));
}

// ---------------------------------------------------------------------------------------------
// Chi-square
// ---------------------------------------------------------------------------------------------

/** `ln(z^a e^(−z) / Γ(a))`, the common factor of the incomplete gamma functions. */
function logGammaPrefix(a: number, z: number): number {
  if (a < 10) return a * Math.log(z) - z - logGamma(a);
  // a ln z − z − ln Γ(a) rewritten around z = a: a (ln(1 + d) − d) + ln √a − ln √(2π) − st(a).
  const d = (z - a) / a;
  return a * (Math.log1p(d) - d) + 0.5 * Math.log(a) - LN_SQRT_2PI - stirlingCorrection(a);
}

/** Regularized upper incomplete gamma `Q(a, z)`, `a > 0`, `0 < z < ∞`. */
function upperIncompleteGamma(a: number, z: number): number {
  const logPrefix = logGammaPrefix(a, z);
  if (z < a + 1) {
    // P(a, z) = z^a e^(−z) / Γ(a + 1) · Σ z^n / ((a + 1)…(a + n)); for df ≥ 1, Q > 0.08
    // here, so 1 − P loses at most one digit.
    let denominator = a;
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n <= MAX_ITERATIONS; n++) {
      denominator += 1;
      term *= z / denominator;
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPSILON) break;
    }
    return Math.max(0, 1 - sum * Math.exp(logPrefix));
  }
  // Legendre's continued fraction for Q (modified Lentz).
  let b = z + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i <= MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) <= EPSILON) break;
  }
  return Math.exp(logPrefix) * h;
}

/**
 * Upper tail `P(X >= x)` of the chi-square distribution with `df` degrees of freedom, computed
 * directly (not as `1 − cdf`) so tiny p-values keep their precision.
 */
export function chiSquareUpperTail(x: number, df: number): number {
  if (Number.isNaN(x) || Number.isNaN(df) || df < 0) return Number.NaN;
  if (x <= 0) return 1;
  if (df === 0 || x === Number.POSITIVE_INFINITY) return 0;
  if (df === Number.POSITIVE_INFINITY) return 1;
  return upperIncompleteGamma(df / 2, x / 2);
}
