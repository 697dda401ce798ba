import { FACTOR_CATALOG, type FactorName, type GuardrailStatus } from '@factoredui/core';

/** A number with sensible precision for the tables. */
export function num(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return Number(value.toPrecision(digits)).toString();
}

/** A signed number (`+0.12`, `−0.3`). */
export function signed(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${value > 0 ? '+' : value < 0 ? '−' : ''}${num(Math.abs(value), digits)}`;
}

/** A relative lift as a percentage. */
export function percent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${value > 0 ? '+' : value < 0 ? '−' : ''}${Math.abs(value * 100).toFixed(1)}%`;
}

/** A p-value (`< 0.001` below a thousandth). */
export function pValue(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value < 0.001 ? '< 0.001' : value.toFixed(3);
}

/** A time as `14:03:22` (today) or a short date. */
export function time(iso: string): string {
  const date = new Date(iso);
  const today = new Date().toDateString() === date.toDateString();
  return today
    ? date.toLocaleTimeString('en-GB')
    : date.toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'short' });
}

/** The factor's tier from the catalog. */
export function tierOf(factor: FactorName): string {
  return FACTOR_CATALOG.find((f) => f.name === factor)?.tier ?? '';
}

/**
 * A confidence level as a percentage, to one decimal (more when needed to stay below 100%),
 * rounded down so the label never claims more confidence than the interval has: `0.95` →
 * `95%`, `1 − 0.05/3` → `98.3%` (Bonferroni over three comparisons), `0.9999` → `99.9%`.
 */
export function level(confidence: number): string {
  if (!Number.isFinite(confidence) || confidence <= 0 || confidence >= 1) return '—';
  for (let digits = 1; ; digits++) {
    const scale = 10 ** digits;
    // The epsilon keeps 97.5 (stored as 97.4999…) at 97.5.
    const shown = Math.floor(confidence * 100 * scale + 1e-6) / scale;
    if (shown < 100 || digits >= 6) return `${shown}%`;
  }
}

/** An interval `[lo, hi]` as `−0.12 … +0.3`, signed like the lifts. */
export function interval(ci: readonly [number, number] | null | undefined): string {
  return ci ? `${signed(ci[0])} … ${signed(ci[1])}` : '—';
}

/**
 * How a guardrail status reads in the tables: `non_inferior` (the whole interval is above
 * −margin) "holds".
 */
export const GUARDRAIL_LABEL = {
  non_inferior: 'holds',
  breached: 'breached',
  undecided: 'undecided',
} as const satisfies Record<GuardrailStatus, string>;
