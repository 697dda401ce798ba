import type { FactoredStore } from '../store/contract.js';
import type { StoreChange, StoreTopic } from '../store/realtime.js';

/** One recorded store call. */
export interface InstrumentedCall {
  /** The method name (`listExperiments`, `recordAssignment`...). */
  readonly method: string;
  /** `read` for `get*`, `list*` and `query*` methods, `write` for every other method. */
  readonly kind: 'read' | 'write';
}

/** What {@link instrumentStore} returns. */
export interface InstrumentedStore {
  /** The wrapped store: use it wherever the original would be used. */
  readonly store: FactoredStore;
  /** Every method call so far, in call order (`subscribe` is counted separately). */
  readonly calls: readonly InstrumentedCall[];
  /** The write calls so far. */
  writes(): InstrumentedCall[];
  /** Subscriptions opened and not yet closed, by topic (an empty object when none). */
  openSubscriptions(): Partial<Record<StoreTopic, number>>;
  /** The number of subscriptions opened and not yet closed, over every topic. */
  openSubscriptionCount(): number;
  /** Forgets the recorded calls (open subscriptions stay counted). */
  resetCalls(): void;
}

const READ_METHOD = /^(get|list|query)[A-Z]/;

/**
 * Wraps a store to observe what code does with it: every method call (classified as read or
 * write by name) and every `subscribe` still open. Built for leak and side-effect checks, such
 * as "a server render writes nothing and leaves no subscription open".
 *
 * @example
 * ```ts
 * const probe = instrumentStore(store);
 * await renderPage(probe.store);
 * expect(probe.writes()).toEqual([]);
 * expect(probe.openSubscriptionCount()).toBe(0);
 * ```
 */
export function instrumentStore(store: FactoredStore): InstrumentedStore {
  const calls: InstrumentedCall[] = [];
  const open = new Map<StoreTopic, number>();
  const subscribe = store.subscribe
    ? (topic: StoreTopic, listener: (change: StoreChange) => void): (() => void) => {
        const unsubscribe = (store.subscribe as NonNullable<FactoredStore['subscribe']>).call(
          store,
          topic,
          listener,
        );
        open.set(topic, (open.get(topic) ?? 0) + 1);
        let active = true;
        return () => {
          if (!active) return;
          active = false;
          open.set(topic, (open.get(topic) ?? 1) - 1);
          unsubscribe();
        };
      }
    : undefined;
  const wrapped = new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'subscribe') return subscribe;
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      return (...args: unknown[]) => {
        calls.push({ method: key, kind: READ_METHOD.test(key) ? 'read' : 'write' });
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return {
    store: wrapped,
    calls,
    writes: () => calls.filter((call) => call.kind === 'write'),
    openSubscriptions() {
      const result: Partial<Record<StoreTopic, number>> = {};
      for (const [topic, count] of open) if (count > 0) result[topic] = count;
      return result;
    },
    openSubscriptionCount: () => [...open.values()].reduce((sum, count) => sum + count, 0),
    resetCalls() {
      calls.length = 0;
    },
  };
}
