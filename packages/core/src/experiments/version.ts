/**
 * Compares two version strings segment by segment: `-1` when `a < b`, `0` when equal, `1`
 * when `a > b`.
 *
 * - A leading `v` is ignored; build metadata after `+` is ignored.
 * - The release part is split on `.`; numeric segments compare as numbers (`10.2 > 9.9`,
 *   `1.10.0 > 1.9.3`), missing segments count as 0 (`10.2 == 10.2.0`), non-numeric segments
 *   compare as text and sort after numeric ones.
 * - A pre-release after `-` sorts before its release (`2.0.0-beta < 2.0.0`), and pre-release
 *   identifiers compare like the release segments (`beta.2 < beta.10`), as in SemVer.
 */
export function compareVersions(a: string, b: string): -1 | 0 | 1 {
  const [releaseA, preA] = splitVersion(a);
  const [releaseB, preB] = splitVersion(b);
  const byRelease = compareSegments(releaseA, releaseB, true);
  if (byRelease !== 0) return byRelease;
  if (preA === null) return preB === null ? 0 : 1;
  if (preB === null) return -1;
  return compareSegments(preA, preB, false);
}

function splitVersion(version: string): [string[], string[] | null] {
  let text = version.trim();
  if (text.startsWith('v') || text.startsWith('V')) text = text.slice(1);
  const plus = text.indexOf('+');
  if (plus >= 0) text = text.slice(0, plus);
  const dash = text.indexOf('-');
  const release = dash >= 0 ? text.slice(0, dash) : text;
  const pre = dash >= 0 ? text.slice(dash + 1) : null;
  return [release.split('.'), pre === null ? null : pre.split('.')];
}

const NUMERIC = /^\d+$/;

function compareSegments(a: string[], b: string[], padWithZero: boolean): -1 | 0 | 1 {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a[i] ?? (padWithZero ? '0' : undefined);
    const y = b[i] ?? (padWithZero ? '0' : undefined);
    // Pre-release: a shorter list of identifiers sorts first (SemVer 11.4.4).
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const c = compareSegment(x, y);
    if (c !== 0) return c;
  }
  return 0;
}

function compareSegment(x: string, y: string): -1 | 0 | 1 {
  const xNumeric = NUMERIC.test(x);
  const yNumeric = NUMERIC.test(y);
  if (xNumeric && yNumeric) {
    // Compare as digit strings so versions beyond 2^53 stay exact.
    const xs = x.replace(/^0+(?=\d)/, '');
    const ys = y.replace(/^0+(?=\d)/, '');
    if (xs.length !== ys.length) return xs.length < ys.length ? -1 : 1;
    return xs < ys ? -1 : xs > ys ? 1 : 0;
  }
  if (xNumeric) return -1;
  if (yNumeric) return 1;
  return x < y ? -1 : x > y ? 1 : 0;
}
