/**
 * Pure, clock-free detectors of the web adapter. They take times as arguments, so they are
 * tested without a DOM or timers.
 */

/** Rage-click thresholds. */
export interface RageClickOptions {
  /** Clicks in a burst that make it a rage click. Default 3. */
  minClicks?: number;
  /** Longest gap between consecutive clicks of a burst, in ms. Default 1000. */
  maxIntervalMs?: number;
  /** Farthest distance between consecutive clicks of a burst, in CSS px. Default 30. */
  maxDistancePx?: number;
}

/** A finished burst of clicks that reached the rage threshold. */
export interface RageBurst {
  path: string;
  clicks: number;
  /** First and last click, epoch ms. */
  startedAt: number;
  endedAt: number;
  /** Position of the last click. */
  x: number;
  y: number;
}

/** A click as the rage detector sees it. */
export interface RageClickInput {
  path: string;
  x: number;
  y: number;
  at: number;
}

/**
 * Groups clicks into bursts (same path, each within `maxIntervalMs` and `maxDistancePx` of the
 * previous) and reports each burst of at least `minClicks` once, when it ends: at the first
 * click that does not continue it, or via {@link RageClickDetector.end} once no click can.
 */
export interface RageClickDetector {
  /** Feeds a click; returns the burst it ended, if that burst was a rage click. */
  click(click: RageClickInput): RageBurst | null;
  /** Ends the open burst if no click can continue it at `at` (or always, without `at`). */
  end(at?: number): RageBurst | null;
  /** When the open burst can no longer be continued (epoch ms), or `null` without one. */
  deadline(): number | null;
}

/** Creates a {@link RageClickDetector}. */
export function createRageClickDetector(options: RageClickOptions = {}): RageClickDetector {
  const { minClicks = 3, maxIntervalMs = 1000, maxDistancePx = 30 } = options;
  let burst: RageBurst | null = null;

  const close = (): RageBurst | null => {
    const done = burst;
    burst = null;
    return done && done.clicks >= minClicks ? done : null;
  };

  return {
    click({ path, x, y, at }) {
      if (
        burst &&
        burst.path === path &&
        at - burst.endedAt <= maxIntervalMs &&
        Math.hypot(x - burst.x, y - burst.y) <= maxDistancePx
      ) {
        burst.clicks += 1;
        burst.endedAt = at;
        burst.x = x;
        burst.y = y;
        return null;
      }
      const ended = close();
      burst = { path, clicks: 1, startedAt: at, endedAt: at, x, y };
      return ended;
    },
    end(at) {
      if (!burst || (at !== undefined && at - burst.endedAt <= maxIntervalMs)) return null;
      return close();
    },
    deadline: () => (burst ? burst.endedAt + maxIntervalMs : null),
  };
}

/** Scroll-reversal threshold. */
export interface ScrollReversalOptions {
  /**
   * A direction change counts as a reversal when it comes at most this long after the last
   * movement in the other direction, in ms. Default 300.
   */
  reversalWindowMs?: number;
}

/**
 * Tracks one scroll container's vertical position samples and reports reversals: the
 * direction flips while the previous movement is at most `reversalWindowMs` old (a quick
 * back-and-forth, not a return after reading).
 */
export interface ScrollReversalDetector {
  /** Feeds a position sample; returns the new direction when it is a reversal. */
  sample(position: number, at: number): 'up' | 'down' | null;
}

/** Creates a {@link ScrollReversalDetector}. */
export function createScrollReversalDetector(
  options: ScrollReversalOptions = {},
): ScrollReversalDetector {
  const { reversalWindowMs = 300 } = options;
  let lastPosition: number | null = null;
  let direction: 'up' | 'down' | null = null;
  let lastMoveAt = Number.NEGATIVE_INFINITY;
  return {
    sample(position, at) {
      const previous = lastPosition;
      lastPosition = position;
      if (previous === null || position === previous) return null;
      const next = position > previous ? 'down' : 'up';
      const reversal =
        direction !== null && next !== direction && at - lastMoveAt <= reversalWindowMs;
      direction = next;
      lastMoveAt = at;
      return reversal ? next : null;
    },
  };
}
