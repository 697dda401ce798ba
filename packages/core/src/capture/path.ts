import type { ComponentPath } from './types.js';
import { componentPathProblem } from './validate.js';

/** The attributes a path is built from, outermost level first. */
export const PATH_ATTRIBUTES = [
  'data-factored-flow',
  'data-factored-page',
  'data-factored-component',
  'data-factored-element',
] as const;

/** Marks an element whose subtree is never captured. */
export const IGNORE_ATTRIBUTE = 'data-factored-ignore';
/** Opts an element (and its subtree) out of rage-click detection. */
export const NO_RAGE_ATTRIBUTE = 'data-factored-no-rage';
/** Opts an element (and its subtree) out of dead-click detection. */
export const NO_DEAD_ATTRIBUTE = 'data-factored-no-dead';

/**
 * The path levels found from `start` upwards, continuing `levels` (index 0 = flow ... 3 =
 * element). `floor` is the innermost level already found: going up, only outer levels count,
 * so an `element` attribute above a `component` one is ignored.
 */
export function collectPathLevels(
  start: Element | null,
  levels: (string | undefined)[] = [undefined, undefined, undefined, undefined],
): (string | undefined)[] {
  let floor = levels.findIndex((level) => level !== undefined);
  if (floor === -1) floor = PATH_ATTRIBUTES.length;
  for (let node = start; node && floor > 0; node = node.parentElement) {
    for (let level = floor - 1; level >= 0; level -= 1) {
      const value = node.getAttribute(PATH_ATTRIBUTES[level] as string)?.trim();
      // A segment holds no separator; a malformed value is skipped rather than guessed at.
      if (!value || value.includes('/')) continue;
      levels[level] = value;
      floor = level;
    }
  }
  return levels;
}

/** Joins found levels into a path, or `null` when none was found or the result is invalid. */
export function joinPathLevels(levels: readonly (string | undefined)[]): ComponentPath | null {
  const path = levels.filter((level): level is string => level !== undefined).join('/');
  return path.length > 0 && componentPathProblem(path) === null ? path : null;
}

/**
 * The component path of `element`: the nearest `data-factored-element`, `-component`, `-page`
 * and `-flow` attributes on it and its ancestors, joined outermost first (for example
 * `checkout/review/payment-form/submit`). Levels may be missing (`checkout/review` for a page
 * region outside any component). Returns `null` when no level is found; capture skips such
 * elements.
 */
export function resolveComponentPath(element: Element | null | undefined): ComponentPath | null {
  return element ? joinPathLevels(collectPathLevels(element)) : null;
}

/** True when `element` or an ancestor carries `attribute` (e.g. {@link IGNORE_ATTRIBUTE}). */
export function isMarked(element: Element | null | undefined, attribute: string): boolean {
  return element?.closest(`[${attribute}]`) != null;
}
