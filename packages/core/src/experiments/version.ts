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
  return compareParsedVersions(parseVersion(a), parseVersion(b));
}

/**
 * One dot-separated segment, pre-parsed: numeric segments keep their digits without leading
 * zeros (compared by length, then as text, so versions beyond 2^53 stay exact).
 */
interface VersionSegment {
  numeric: boolean;
  text: string;
}

/** A version string parsed once by {@link parseVersion}, for {@link compareParsedVersions}. */
export interface ParsedVersion {
  release: readonly VersionSegment[];
  pre: readonly VersionSegment[] | null;
}

const NUMERIC = /^\d+$/;

function parseSegments(text: string): VersionSegment[] {
  return text
    .split('.')
    .map((segment) =>
      NUMERIC.test(segment)
        ? { numeric: true, text: segment.replace(/^0+(?=\d)/, '') }
        : { numeric: false, text: segment },
    );
}

/** Parses a version string for {@link compareParsedVersions} (same rules as {@link compareVersions}). */
export function parseVersion(version: string): ParsedVersion {
  let text = version.trim();
  if (text.startsWith('v') || text.startsWith('V')) text = text.slice(1);
  const plus = text.indexOf('+');
  if (plus >= 0) text = text.slice(0, plus);
  const dash = text.indexOf('-');
  const release = dash >= 0 ? text.slice(0, dash) : text;
  const pre = dash >= 0 ? text.slice(dash + 1) : null;
  return { release: parseSegments(release), pre: pre === null ? null : parseSegments(pre) };
}

/** {@link compareVersions} of two versions parsed by {@link parseVersion}. */
export function compareParsedVersions(a: ParsedVersion, b: ParsedVersion): -1 | 0 | 1 {
  const byRelease = compareSegments(a.release, b.release, true);
  if (byRelease !== 0) return byRelease;
  if (a.pre === null) return b.pre === null ? 0 : 1;
  if (b.pre === null) return -1;
  return compareSegments(a.pre, b.pre, false);
}

const ZERO: VersionSegment = { numeric: true, text: '0' };

function compareSegments(
  a: readonly VersionSegment[],
  b: readonly VersionSegment[],
  padWithZero: boolean,
): -1 | 0 | 1 {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a[i] ?? (padWithZero ? ZERO : undefined);
    const y = b[i] ?? (padWithZero ? ZERO : undefined);
    // Pre-release: a shorter list of identifiers sorts first (SemVer 11.4.4).
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const c = compareSegment(x, y);
    if (c !== 0) return c;
  }
  return 0;
}

function compareSegment(x: VersionSegment, y: VersionSegment): -1 | 0 | 1 {
  if (x.numeric && y.numeric) {
    if (x.text.length !== y.text.length) return x.text.length < y.text.length ? -1 : 1;
    return x.text < y.text ? -1 : x.text > y.text ? 1 : 0;
  }
  if (x.numeric) return -1;
  if (y.numeric) return 1;
  return x.text < y.text ? -1 : x.text > y.text ? 1 : 0;
}
