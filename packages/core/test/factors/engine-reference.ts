/**
 * The reference factor engine as it was before issue #18 (per-value result objects, closure
 * time parser), kept verbatim as the reference the old/new comparison test runs against.
 */
import {
  FactoredError,
  type FactoredEvent,
  type FactorName,
  type FactorValue,
  type FactorWindow,
  type ResolvedFactorWindow,
  resolveFactorWindow,
} from '@factoredui/core';

// Session flags.
const HAS_IMPRESSION = 1;
const HAS_NAVIGATION = 2;
const HAS_COMPLETE = 4;
const HAS_CLICK_OR_SUBMIT = 8;

/** State of one (user, path, session) group. */
interface SessionGroup {
  flags: number;
  /** Impression times (epoch ms), buffered for hesitation. */
  impressions: number[] | null;
  impressionsSorted: boolean;
  /** Times of `click` / `input` / `scroll` / `submit` events, buffered for hesitation. */
  actions: number[] | null;
  actionsSorted: boolean;
}

/** State of one (user, path) pair: O(1) counters plus its session groups. */
interface PairGroup {
  userId: string;
  path: string;
  events: number;
  errors: number;
  clicksAndSubmits: number;
  rageClicks: number;
  deadClicks: number;
  scrollReversals: number;
  depthSum: number;
  depthCount: number;
  siblingSum: number;
  siblingCount: number;
  formFieldSum: number;
  formFieldCount: number;
  sessions: Map<string, SessionGroup>;
}

function newPair(userId: string, path: string): PairGroup {
  return {
    userId,
    path,
    events: 0,
    errors: 0,
    clicksAndSubmits: 0,
    rageClicks: 0,
    deadClicks: 0,
    scrollReversals: 0,
    depthSum: 0,
    depthCount: 0,
    siblingSum: 0,
    siblingCount: 0,
    formFieldSum: 0,
    formFieldCount: 0,
    sessions: new Map(),
  };
}

function pushTime(list: number[] | null, sorted: boolean, t: number): [number[], boolean] {
  if (list === null) return [[t], true];
  const last = list[list.length - 1] as number;
  list.push(t);
  return [list, sorted && t >= last];
}

const ascending = (a: number, b: number) => a - b;
const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Epoch ms of an ISO 8601 time. The canonical form stores write (`YYYY-MM-DDTHH:MM:SS.sssZ`)
 * is parsed by hand, about 3x faster than `Date.parse`, which dominates the engine's cost;
 * anything else (offsets, other precisions, days past the 28th) goes to `Date.parse`.
 */
export function referenceParseEventTime(text: string): number {
  if (
    text.length !== 24 ||
    text.charCodeAt(4) !== 45 ||
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 84 ||
    text.charCodeAt(13) !== 58 ||
    text.charCodeAt(16) !== 58 ||
    text.charCodeAt(19) !== 46 ||
    text.charCodeAt(23) !== 90
  ) {
    return Date.parse(text);
  }
  let ok = true;
  const digits = (from: number, count: number): number => {
    let value = 0;
    for (let i = from; i < from + count; i += 1) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) ok = false;
      value = value * 10 + d;
    }
    return value;
  };
  const year = digits(0, 4);
  const month = digits(5, 2);
  const day = digits(8, 2);
  const hour = digits(11, 2);
  const minute = digits(14, 2);
  const second = digits(17, 2);
  const ms = digits(20, 3);
  // Date.UTC maps years 0-99 to 1900-1999: leave early years to Date.parse.
  if (
    !ok ||
    year < 1000 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 28 ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  )
    return Date.parse(text);
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/** The number in `payload[key]` when it is a finite number, else `undefined`. */
function numberField(payload: FactoredEvent['payload'], key: string): number | undefined {
  const value = payload[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * Sum and count of hesitations of one session: for each impression, the gap to the first
 * strictly later action. Both lists sorted ascending; a two-pointer merge, O(i + a).
 */
function hesitationOf(
  impressions: readonly number[],
  actions: readonly number[],
): [number, number] {
  let sum = 0;
  let count = 0;
  let j = 0;
  for (const t of impressions) {
    while (j < actions.length && (actions[j] as number) <= t) j += 1;
    if (j === actions.length) break;
    sum += (actions[j] as number) - t;
    count += 1;
  }
  return [sum, count];
}

/**
 * A streaming factor computation over one window. Feed events in any order and in any number
 * of batches with {@link FactorEngine.add} / {@link FactorEngine.addAll}; {@link
 * FactorEngine.result} gives the factors of DESIGN §5. The result does not depend on the
 * order or batching of the input. Event ids must be unique (stores guarantee it); the engine
 * does not deduplicate.
 */
interface FactorEngine {
  /** The window being computed. */
  readonly window: ResolvedFactorWindow;
  /** Adds one event; events outside the window are counted as seen and otherwise ignored. */
  add(event: FactoredEvent): void;
  /** Adds every event of an iterable (one pass, no copy). */
  addAll(events: Iterable<FactoredEvent>): void;
  /** Events passed to `add` so far. */
  readonly eventsSeen: number;
  /** Of those, events inside the window. */
  readonly eventsInWindow: number;
  /** Open (user, path) groups. */
  readonly pairCount: number;
  /**
   * The factor values, sorted by user id, path, then factor in catalog order. Absent factors
   * (zero denominator, mean over nothing) are omitted. Can be called more than once; adding
   * more events afterwards is allowed.
   */
  result(): FactorValue[];
}

/**
 * Creates a streaming {@link FactorEngine} for the window ending at `window.asOf`.
 *
 * Cost: O(1) work per event and O(1) state per open (user, path) and (user, path, session)
 * group, plus the timestamps of impressions and `click`/`input`/`scroll`/`submit` events
 * (8 bytes each), which hesitation needs: "the first strictly later action" is an order
 * statistic, and events may arrive out of order, so those timestamps are buffered per
 * session and sorted at the end, only when they did not already arrive in time order.
 *
 * @example
 * ```ts
 * const engine = createFactorEngine({ asOf: '2026-01-08T00:00:00.000Z' });
 * for await (const batch of batches) engine.addAll(batch);
 * const values = engine.result();
 * ```
 */
function createFactorEngine(window: FactorWindow): FactorEngine {
  const resolved = resolveFactorWindow(window);
  const { asOfMs, windowMs } = resolved;
  const startMs = asOfMs - windowMs;
  // user id -> path -> pair: nested maps avoid building a key string per event.
  const users = new Map<string, Map<string, PairGroup>>();
  let pairCount = 0;
  let eventsSeen = 0;
  let eventsInWindow = 0;

  const add = (event: FactoredEvent): void => {
    eventsSeen += 1;
    const t = referenceParseEventTime(event.createdAt);
    if (Number.isNaN(t)) {
      throw new FactoredError(
        'invalid_input',
        `event ${event.id}: createdAt must be an ISO 8601 time, got ${JSON.stringify(event.createdAt)}.`,
        { details: { field: 'createdAt', eventId: event.id } },
      );
    }
    if (!(t > startMs && t <= asOfMs)) return;
    eventsInWindow += 1;
    let paths = users.get(event.userId);
    if (paths === undefined) {
      paths = new Map();
      users.set(event.userId, paths);
    }
    let pair = paths.get(event.path);
    if (pair === undefined) {
      pair = newPair(event.userId, event.path);
      paths.set(event.path, pair);
      pairCount += 1;
    }
    let session = pair.sessions.get(event.sessionId);
    if (session === undefined) {
      session = {
        flags: 0,
        impressions: null,
        impressionsSorted: true,
        actions: null,
        actionsSorted: true,
      };
      pair.sessions.set(event.sessionId, session);
    }
    pair.events += 1;
    switch (event.type) {
      case 'impression': {
        session.flags |= HAS_IMPRESSION;
        [session.impressions, session.impressionsSorted] = pushTime(
          session.impressions,
          session.impressionsSorted,
          t,
        );
        const payload = event.payload;
        const depth = numberField(payload, 'component_depth');
        if (depth !== undefined) {
          pair.depthSum += depth;
          pair.depthCount += 1;
        }
        const siblings = numberField(payload, 'sibling_count');
        if (siblings !== undefined) {
          pair.siblingSum += siblings;
          pair.siblingCount += 1;
        }
        const fields = numberField(payload, 'form_field_count');
        if (fields !== undefined) {
          pair.formFieldSum += fields;
          pair.formFieldCount += 1;
        }
        break;
      }
      case 'navigation':
        session.flags |= HAS_NAVIGATION;
        if (event.payload.action === 'complete') session.flags |= HAS_COMPLETE;
        break;
      case 'click':
      case 'submit':
        pair.clicksAndSubmits += 1;
        session.flags |= HAS_CLICK_OR_SUBMIT;
        [session.actions, session.actionsSorted] = pushTime(
          session.actions,
          session.actionsSorted,
          t,
        );
        break;
      case 'input':
      case 'scroll':
        [session.actions, session.actionsSorted] = pushTime(
          session.actions,
          session.actionsSorted,
          t,
        );
        break;
      case 'error':
        pair.errors += 1;
        break;
      case 'rage_click':
        pair.rageClicks += 1;
        break;
      case 'dead_click':
        pair.deadClicks += 1;
        break;
      case 'scroll_reversal':
        pair.scrollReversals += 1;
        break;
      default:
        break;
    }
  };

  const valuesOf = (pair: PairGroup): FactorValue[] => {
    let sessionsAny = 0;
    let sessionsWithImpression = 0;
    let sessionsCompleted = 0;
    let sessionsWithNavigation = 0;
    let sessionsWithClick = 0;
    let hesitationSum = 0;
    let hesitationCount = 0;
    for (const session of pair.sessions.values()) {
      sessionsAny += 1;
      const f = session.flags;
      if (f & HAS_IMPRESSION) {
        sessionsWithImpression += 1;
        if (f & HAS_COMPLETE) sessionsCompleted += 1;
      }
      if (f & HAS_NAVIGATION) sessionsWithNavigation += 1;
      if (f & HAS_CLICK_OR_SUBMIT) sessionsWithClick += 1;
      if (session.impressions !== null && session.actions !== null) {
        if (!session.impressionsSorted) {
          session.impressions.sort(ascending);
          session.impressionsSorted = true;
        }
        if (!session.actionsSorted) {
          session.actions.sort(ascending);
          session.actionsSorted = true;
        }
        const [sum, count] = hesitationOf(session.impressions, session.actions);
        hesitationSum += sum;
        hesitationCount += count;
      }
    }
    const out: FactorValue[] = [];
    const push = (factor: FactorName, value: number) => {
      out.push({ userId: pair.userId, path: pair.path, factor, value, asOf: resolved.asOf });
    };
    if (sessionsWithImpression > 0)
      push('completion_rate', sessionsCompleted / sessionsWithImpression);
    push('drop_off_rate', 1 - sessionsWithNavigation / sessionsAny);
    push('error_rate', pair.errors / pair.events);
    push('retry_count', Math.max(0, pair.clicksAndSubmits - sessionsWithClick));
    push('rage_click_count', pair.rageClicks);
    push('dead_click_count', pair.deadClicks);
    push('scroll_reversal_count', pair.scrollReversals);
    if (hesitationCount > 0) push('hesitation_ms', hesitationSum / hesitationCount);
    if (pair.depthCount > 0) push('component_depth', pair.depthSum / pair.depthCount);
    if (pair.siblingCount > 0) push('sibling_count', pair.siblingSum / pair.siblingCount);
    if (pair.formFieldCount > 0) push('form_field_count', pair.formFieldSum / pair.formFieldCount);
    return out;
  };

  return {
    window: resolved,
    add,
    addAll(events) {
      for (const event of events) add(event);
    },
    get eventsSeen() {
      return eventsSeen;
    },
    get eventsInWindow() {
      return eventsInWindow;
    },
    get pairCount() {
      return pairCount;
    },
    result() {
      // Sorting the output keys (not the input) gives one canonical order for every store;
      // values within a pair are already in catalog order.
      const out: FactorValue[] = [];
      for (const userId of [...users.keys()].sort(byCodeUnit)) {
        const paths = users.get(userId) as Map<string, PairGroup>;
        for (const path of [...paths.keys()].sort(byCodeUnit)) {
          for (const value of valuesOf(paths.get(path) as PairGroup)) out.push(value);
        }
      }
      return out;
    },
  };
}

/**
 * Computes the factors of DESIGN §5 from `events` for the window ending at `window.asOf`
 * (default 7 days): one streaming pass, independent of input order. Events outside
 * `asOf - windowMs < createdAt <= asOf` are ignored.
 *
 * @example
 * ```ts
 * const values = computeFactors(await store.listEvents(), { asOf: new Date().toISOString() });
 * ```
 */
export function referenceComputeFactors(
  events: Iterable<FactoredEvent>,
  window: FactorWindow,
): FactorValue[] {
  const engine = createFactorEngine(window);
  engine.addAll(events);
  return engine.result();
}
