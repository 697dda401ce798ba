import type { FactoredEvent } from '../capture/types.js';
import { FactoredError } from '../errors.js';
import { toEpochMs } from '../util/time.js';
import { DEFAULT_FACTOR_WINDOW_MS, FACTOR_NAMES } from './catalog.js';
import type { FactorName, FactorValue, FactorWindow } from './types.js';

/** A validated factor window in epoch milliseconds. */
export interface ResolvedFactorWindow {
  /** Window end (inclusive), epoch ms. */
  asOfMs: number;
  /** Window end as ISO 8601 UTC with milliseconds. */
  asOf: string;
  /** Window length in ms. Events count when `asOfMs - windowMs < t <= asOfMs`. */
  windowMs: number;
}

/**
 * Validates a {@link FactorWindow}: `asOf` must be an ISO 8601 date, `windowMs` a positive
 * finite number of milliseconds. Throws `invalid_input` naming the field otherwise.
 */
export function resolveFactorWindow(window: FactorWindow): ResolvedFactorWindow {
  if (typeof window !== 'object' || window === null) {
    throw new FactoredError('invalid_input', 'the factor window must be { asOf, windowMs? }.');
  }
  if (typeof window.asOf !== 'string' && !((window.asOf as unknown) instanceof Date)) {
    throw new FactoredError(
      'invalid_input',
      `asOf must be an ISO 8601 date string, got ${JSON.stringify(window.asOf)}.`,
      { details: { field: 'asOf' } },
    );
  }
  const asOfMs = toEpochMs(window.asOf, 'asOf');
  const windowMs = window.windowMs ?? DEFAULT_FACTOR_WINDOW_MS;
  if (typeof windowMs !== 'number' || !Number.isFinite(windowMs) || windowMs <= 0) {
    throw new FactoredError(
      'invalid_input',
      `windowMs must be a positive number of milliseconds, got ${String(windowMs)}.`,
      { details: { field: 'windowMs' } },
    );
  }
  return { asOfMs, asOf: new Date(asOfMs).toISOString(), windowMs };
}

// Session flags.
const HAS_IMPRESSION = 1;
const HAS_NAVIGATION = 2;
const HAS_COMPLETE = 4;
const HAS_CLICK_OR_SUBMIT = 8;

/**
 * State of one (user, path, session) group. Its impression and action times are not kept here
 * but in the engine's time log (two typed arrays for all groups): an array or two per group
 * would be most of the engine's heap, and every one of them copied by the garbage collector.
 */
interface SessionGroup {
  sessionId: string;
  /** The group's index in the time log. */
  index: number;
  flags: number;
  /** The pair's previous session group (the pair's groups are a list, newest first). */
  next: SessionGroup | null;
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
  /**
   * The pair's newest session group, the head of a list of all of them: searched from the head
   * (most pairs have one or two, and a session's events arrive together), no array per pair.
   */
  sessions: SessionGroup | null;
  sessionCount: number;
  /** Past {@link SESSIONS_IN_LIST} sessions, a map from session id to group as well. */
  sessionMap: Map<string, SessionGroup> | null;
}

/** Sessions of a pair searched along its list before it gets a map. */
const SESSIONS_IN_LIST = 8;

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
    sessions: null,
    sessionCount: 0,
    sessionMap: null,
  };
}

/** The time log grouped by session group; see `groupTimes` in {@link createFactorEngine}. */
interface GroupedTimes {
  impressions: Float64Array;
  impressionsAt: Uint32Array;
  actions: Float64Array;
  actionsAt: Uint32Array;
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Epoch ms of an ISO 8601 time. The canonical form stores write (`YYYY-MM-DDTHH:MM:SS.sssZ`)
 * is parsed by hand, without allocating and with integer date arithmetic (`Date.parse` would
 * dominate the engine's cost);
 * anything else (offsets, other precisions, days past the 28th) goes to `Date.parse`.
 */
export function parseEventTime(text: string): number {
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
  // Straight-line digit reads: no closure, no allocation.
  const d0 = text.charCodeAt(0) - 48;
  const d1 = text.charCodeAt(1) - 48;
  const d2 = text.charCodeAt(2) - 48;
  const d3 = text.charCodeAt(3) - 48;
  const m0 = text.charCodeAt(5) - 48;
  const m1 = text.charCodeAt(6) - 48;
  const a0 = text.charCodeAt(8) - 48;
  const a1 = text.charCodeAt(9) - 48;
  const h0 = text.charCodeAt(11) - 48;
  const h1 = text.charCodeAt(12) - 48;
  const n0 = text.charCodeAt(14) - 48;
  const n1 = text.charCodeAt(15) - 48;
  const s0 = text.charCodeAt(17) - 48;
  const s1 = text.charCodeAt(18) - 48;
  const f0 = text.charCodeAt(20) - 48;
  const f1 = text.charCodeAt(21) - 48;
  const f2 = text.charCodeAt(22) - 48;
  // `>>> 0` turns a negative difference into a large number: one comparison per digit.
  const bad =
    d0 >>> 0 > 9 ||
    d1 >>> 0 > 9 ||
    d2 >>> 0 > 9 ||
    d3 >>> 0 > 9 ||
    m0 >>> 0 > 9 ||
    m1 >>> 0 > 9 ||
    a0 >>> 0 > 9 ||
    a1 >>> 0 > 9 ||
    h0 >>> 0 > 9 ||
    h1 >>> 0 > 9 ||
    n0 >>> 0 > 9 ||
    n1 >>> 0 > 9 ||
    s0 >>> 0 > 9 ||
    s1 >>> 0 > 9 ||
    f0 >>> 0 > 9 ||
    f1 >>> 0 > 9 ||
    f2 >>> 0 > 9;
  const year = d0 * 1000 + d1 * 100 + d2 * 10 + d3;
  const month = m0 * 10 + m1;
  const day = a0 * 10 + a1;
  const hour = h0 * 10 + h1;
  const minute = n0 * 10 + n1;
  const second = s0 * 10 + s1;
  // Date.UTC maps years 0-99 to 1900-1999: leave early years to Date.parse.
  if (
    bad ||
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
  return (
    daysFromCivil(year, month, day) * 86_400_000 +
    hour * 3_600_000 +
    minute * 60_000 +
    second * 1000 +
    f0 * 100 +
    f1 * 10 +
    f2
  );
}

/** Days since 1970-01-01 of a proleptic Gregorian date (integer arithmetic, no `Date`). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The number in `payload[key]` when it is a finite number, else `undefined`. */
function numberField(payload: FactoredEvent['payload'], key: string): number | undefined {
  const value = payload[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A typed array twice as long (at least 1024), holding the old contents. */
function grown<T extends Int32Array | Float64Array>(column: T): T {
  const next = new (column.constructor as new (length: number) => T)(
    Math.max(1024, column.length * 2),
  );
  next.set(column);
  return next;
}

/** Sorts `times[from..to)` ascending in place, when it is not already. */
function sortRange(times: Float64Array, from: number, to: number): void {
  for (let i = from + 1; i < to; i += 1) {
    if ((times[i] as number) < (times[i - 1] as number)) {
      // Typed arrays sort numerically, without a comparator call.
      times.subarray(from, to).sort();
      return;
    }
  }
}

/**
 * A streaming factor computation over one window. Feed events in any order and in any number
 * of batches with {@link FactorEngine.add} / {@link FactorEngine.addAll}; {@link
 * FactorEngine.result} gives the factors of DESIGN §5. The result does not depend on the
 * order or batching of the input. Event ids must be unique (stores guarantee it); the engine
 * does not deduplicate.
 */
export interface FactorEngine {
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
  /**
   * Streams the values of {@link FactorEngine.result} in the same order without building an
   * object per value: `sink(userId, path, factor, value)` per value (the window end is
   * `window.asOf` for all of them). Returns the number of values. What a writer that inserts
   * rows, or anything that aggregates, should use.
   */
  forEachValue(sink: FactorValueSink): number;
  /**
   * The values of {@link FactorEngine.result} as columns: one entry per (user, path) pair in
   * `userIds` / `paths`, one per value in `pair` (index into those), `factor` (index into
   * `FACTOR_NAMES`) and `value`. No string is repeated per value.
   */
  resultColumns(): FactorColumns;
}

/** Receives one factor value; see {@link FactorEngine.forEachValue}. */
export type FactorValueSink = (
  userId: string,
  path: string,
  factor: FactorName,
  value: number,
) => void;

/** Columnar factor values; see {@link FactorEngine.resultColumns}. */
export interface FactorColumns {
  /** The window end of every value (ISO 8601 UTC with milliseconds). */
  asOf: string;
  /** Number of values. */
  length: number;
  /** User id of each (user, path) pair, in output order. */
  userIds: string[];
  /** Path of each pair. */
  paths: string[];
  /** For each value, the index of its pair. */
  pair: Uint32Array;
  /** For each value, the index of its factor in `FACTOR_NAMES`. */
  factor: Uint8Array;
  /** For each value, the value. */
  value: Float64Array;
}

/**
 * Creates a streaming {@link FactorEngine} for the window ending at `window.asOf`.
 *
 * Cost: O(1) work per event and O(1) state per open (user, path) and (user, path, session)
 * group, plus the timestamps of impressions and `click`/`input`/`scroll`/`submit` events
 * (12 bytes each: time and group, in one log of two typed arrays), which hesitation needs: "the
 * first strictly later action" is an order statistic, and events may arrive out of order, so
 * those timestamps are buffered and, for each result, grouped by session (a counting sort) and
 * sorted only where they did not already arrive in time order. The state holds no array per
 * session or per pair, so the garbage collector has little to copy while events stream in.
 *
 * @example
 * ```ts
 * const engine = createFactorEngine({ asOf: '2026-01-08T00:00:00.000Z' });
 * for await (const batch of batches) engine.addAll(batch);
 * const values = engine.result();
 * ```
 */
export function createFactorEngine(window: FactorWindow): FactorEngine {
  const resolved = resolveFactorWindow(window);
  const { asOfMs, windowMs } = resolved;
  const startMs = asOfMs - windowMs;
  // user id -> path -> pair: nested maps avoid building a key string per event.
  const users = new Map<string, Map<string, PairGroup>>();
  let pairCount = 0;
  let eventsSeen = 0;
  let eventsInWindow = 0;
  let groupCount = 0;
  // The time log: impression and action times of every group, in arrival order, each with its
  // group's index (`index` for an impression, `~index`, negative, for an action). Typed arrays:
  // the garbage collector neither copies nor scans them.
  let logLength = 0;
  let logGroup = new Int32Array(0);
  let logTime = new Float64Array(0);
  /** Buffers the time of an impression (`entry` = group index) or action (`~index`). */
  const buffer = (entry: number, t: number): void => {
    if (logLength === logTime.length) {
      logGroup = grown(logGroup);
      logTime = grown(logTime);
    }
    logGroup[logLength] = entry;
    logTime[logLength] = t;
    logLength += 1;
  };

  const add = (event: FactoredEvent): void => {
    eventsSeen += 1;
    const t = parseEventTime(event.createdAt);
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
    const sessionId = event.sessionId;
    let session: SessionGroup | null | undefined = pair.sessions;
    if (pair.sessionMap === null) {
      while (session !== null && session.sessionId !== sessionId) session = session.next;
    } else session = pair.sessionMap.get(sessionId);
    if (session === null || session === undefined) {
      session = { sessionId, index: groupCount, flags: 0, next: pair.sessions };
      groupCount += 1;
      pair.sessions = session;
      pair.sessionCount += 1;
      if (pair.sessionMap !== null) pair.sessionMap.set(sessionId, session);
      else if (pair.sessionCount > SESSIONS_IN_LIST) {
        const map = new Map<string, SessionGroup>();
        for (let s: SessionGroup | null = session; s !== null; s = s.next) map.set(s.sessionId, s);
        pair.sessionMap = map;
      }
    }
    pair.events += 1;
    switch (event.type) {
      case 'impression': {
        session.flags |= HAS_IMPRESSION;
        buffer(session.index, t);
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
        buffer(~session.index, t);
        break;
      case 'input':
      case 'scroll':
        buffer(~session.index, t);
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

  /**
   * The time log grouped by session group (a counting sort, stable), impressions and actions
   * apart: group `g`'s impressions are `impressions[impressionsAt[g]]` up to (excluding)
   * `impressions[impressionsAt[g + 1]]`, in arrival order. The log itself is left as it is, so
   * more events may be added afterwards.
   */
  const groupTimes = (): GroupedTimes => {
    const impressionsAt = new Uint32Array(groupCount + 1);
    const actionsAt = new Uint32Array(groupCount + 1);
    for (let i = 0; i < logLength; i += 1) {
      const entry = logGroup[i] as number;
      if (entry >= 0) (impressionsAt[entry + 1] as number) += 1;
      else (actionsAt[~entry + 1] as number) += 1;
    }
    for (let g = 0; g < groupCount; g += 1) {
      (impressionsAt[g + 1] as number) += impressionsAt[g] as number;
      (actionsAt[g + 1] as number) += actionsAt[g] as number;
    }
    const impressions = new Float64Array(impressionsAt[groupCount] as number);
    const actions = new Float64Array(actionsAt[groupCount] as number);
    // Where the next time of each group goes.
    const impressionsNext = impressionsAt.slice(0, groupCount);
    const actionsNext = actionsAt.slice(0, groupCount);
    for (let i = 0; i < logLength; i += 1) {
      const entry = logGroup[i] as number;
      if (entry >= 0) {
        impressions[impressionsNext[entry] as number] = logTime[i] as number;
        (impressionsNext[entry] as number) += 1;
      } else {
        actions[actionsNext[~entry] as number] = logTime[i] as number;
        (actionsNext[~entry] as number) += 1;
      }
    }
    return { impressions, impressionsAt, actions, actionsAt };
  };

  /** Emits the values of one pair in catalog order: `emit(factorIndex, value)`. */
  const emitPair = (
    pair: PairGroup,
    times: GroupedTimes,
    emit: (factor: number, value: number) => void,
  ): void => {
    const { impressions, impressionsAt, actions, actionsAt } = times;
    let sessionsAny = 0;
    let sessionsWithImpression = 0;
    let sessionsCompleted = 0;
    let sessionsWithNavigation = 0;
    let sessionsWithClick = 0;
    let hesitationSum = 0;
    let hesitationCount = 0;
    for (let session = pair.sessions; session !== null; session = session.next) {
      sessionsAny += 1;
      const f = session.flags;
      if (f & HAS_IMPRESSION) {
        sessionsWithImpression += 1;
        if (f & HAS_COMPLETE) sessionsCompleted += 1;
      }
      if (f & HAS_NAVIGATION) sessionsWithNavigation += 1;
      if (f & HAS_CLICK_OR_SUBMIT) sessionsWithClick += 1;
      const g = session.index;
      const i0 = impressionsAt[g] as number;
      const i1 = impressionsAt[g + 1] as number;
      const a0 = actionsAt[g] as number;
      const a1 = actionsAt[g + 1] as number;
      if (i0 === i1 || a0 === a1) continue;
      sortRange(impressions, i0, i1);
      sortRange(actions, a0, a1);
      // Each impression's gap to the first strictly later action: a two-pointer merge, O(i + a).
      let j = a0;
      for (let i = i0; i < i1; i += 1) {
        const t = impressions[i] as number;
        while (j < a1 && (actions[j] as number) <= t) j += 1;
        if (j === a1) break;
        hesitationSum += (actions[j] as number) - t;
        hesitationCount += 1;
      }
    }
    // Indexes into FACTOR_NAMES (catalog order).
    if (sessionsWithImpression > 0) emit(0, sessionsCompleted / sessionsWithImpression);
    emit(1, 1 - sessionsWithNavigation / sessionsAny);
    emit(2, pair.errors / pair.events);
    emit(3, Math.max(0, pair.clicksAndSubmits - sessionsWithClick));
    emit(4, pair.rageClicks);
    emit(5, pair.deadClicks);
    emit(6, pair.scrollReversals);
    if (hesitationCount > 0) emit(7, hesitationSum / hesitationCount);
    if (pair.depthCount > 0) emit(8, pair.depthSum / pair.depthCount);
    if (pair.siblingCount > 0) emit(9, pair.siblingSum / pair.siblingCount);
    if (pair.formFieldCount > 0) emit(10, pair.formFieldSum / pair.formFieldCount);
  };

  /** Every pair in output order: user id, then path, by UTF-16 code units. */
  const forEachPair = (visit: (pair: PairGroup, times: GroupedTimes) => void): void => {
    const times = groupTimes();
    // Sorting the output keys (not the input) gives one canonical order for every store.
    for (const userId of [...users.keys()].sort(byCodeUnit)) {
      const paths = users.get(userId) as Map<string, PairGroup>;
      const keys = paths.size === 1 ? [...paths.keys()] : [...paths.keys()].sort(byCodeUnit);
      for (const path of keys) visit(paths.get(path) as PairGroup, times);
    }
  };

  const forEachValue = (sink: FactorValueSink): number => {
    let count = 0;
    let current: PairGroup | null = null;
    const emit = (factor: number, value: number) => {
      const pair = current as PairGroup;
      sink(pair.userId, pair.path, FACTOR_NAMES[factor] as FactorName, value);
      count += 1;
    };
    forEachPair((pair, times) => {
      current = pair;
      emitPair(pair, times, emit);
    });
    return count;
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
      const out: FactorValue[] = [];
      const asOf = resolved.asOf;
      forEachValue((userId, path, factor, value) => {
        out.push({ userId, path, factor, value, asOf });
      });
      return out;
    },
    forEachValue,
    resultColumns() {
      // At most 11 values per pair: fill, then trim once.
      const pairs = pairCount;
      let pairIndex = new Uint32Array(pairs * FACTOR_NAMES.length);
      let factorIndex = new Uint8Array(pairs * FACTOR_NAMES.length);
      let values = new Float64Array(pairs * FACTOR_NAMES.length);
      const userIds: string[] = [];
      const paths: string[] = [];
      let length = 0;
      const emit = (factor: number, value: number) => {
        pairIndex[length] = userIds.length - 1;
        factorIndex[length] = factor;
        values[length] = value;
        length += 1;
      };
      forEachPair((pair, times) => {
        userIds.push(pair.userId);
        paths.push(pair.path);
        emitPair(pair, times, emit);
      });
      pairIndex = pairIndex.slice(0, length);
      factorIndex = factorIndex.slice(0, length);
      values = values.slice(0, length);
      return {
        asOf: resolved.asOf,
        length,
        userIds,
        paths,
        pair: pairIndex,
        factor: factorIndex,
        value: values,
      };
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
export function computeFactors(
  events: Iterable<FactoredEvent>,
  window: FactorWindow,
): FactorValue[] {
  const engine = createFactorEngine(window);
  engine.addAll(events);
  return engine.result();
}
