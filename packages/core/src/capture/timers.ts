/** Opaque handle of a scheduled callback. */
export type TimerHandle = unknown;

/**
 * The scheduler capture runs its timers on (flush, retry, persistence, store-call timeouts,
 * lease heartbeat). Default: the global `setTimeout`; simulations and tests pass their own.
 */
export interface CaptureTimers {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The global timers; a pending timer never holds a Node process open. */
export const defaultTimers: CaptureTimers = {
  setTimeout(callback, ms) {
    const handle = setTimeout(callback, ms);
    (handle as { unref?: () => void }).unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
