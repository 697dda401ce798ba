/** Retry timing of failed writes. */
export interface RetryOptions {
  /** Delay ceiling of the first retry, in ms. Default 1000. */
  baseDelayMs?: number;
  /** Largest delay ceiling, in ms. Default 60000. */
  maxDelayMs?: number;
}

/** Default delay ceiling of the first retry, in ms. */
export const DEFAULT_RETRY_BASE_MS = 1000;
/** Default largest delay ceiling, in ms. */
export const DEFAULT_RETRY_MAX_MS = 60_000;

/**
 * Delay before retry number `attempt` (1 for the first retry): exponential backoff with
 * "equal jitter". The ceiling doubles per attempt up to `maxDelayMs`; the delay is drawn
 * uniformly from the upper half of it, so retries of many clients spread out (no thundering
 * herd after an outage) while each client still waits at least half the ceiling.
 */
export function retryDelay(
  attempt: number,
  options: RetryOptions = {},
  random: () => number = Math.random,
): number {
  const base = options.baseDelayMs ?? DEFAULT_RETRY_BASE_MS;
  const max = options.maxDelayMs ?? DEFAULT_RETRY_MAX_MS;
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const ceiling = Math.min(max, base * 2 ** exponent);
  return ceiling / 2 + random() * (ceiling / 2);
}
