/**
 * A seeded generator of realistic capture data for the benchmarks: users with skewed activity,
 * funnel-shaped sessions over component paths, every event type, structural payloads on
 * impressions, a little clock skew and a few equal timestamps. Plain TypeScript, no
 * dependencies; the same options always give the same events, in the same order, whatever the
 * chunk size.
 *
 * The default shape is the one issue #18 measured: 1,000,000 events, 10,000 users, 50 component
 * paths (5 flows x 5 steps x 2 components), 7 days ending at `end`.
 *
 * @example
 * ```ts
 * // Everything at once (about 400 MB for 1M events):
 * const { sessions, events } = generateRealisticEvents({ seed: 18 });
 * // Bounded memory (10M events): complete sessions, about `chunkEvents` events per chunk.
 * for (const chunk of realisticEventChunks({ seed: 18, events: 10_000_000 }, 50_000)) {
 *   await insertSessions(chunk.sessions);
 *   await insertEvents(chunk.events);
 * }
 * ```
 */

/** The options of the generator; every field has a default. */
export interface RealisticEventOptions {
  /** Seed of the pseudo-random generator (any 32-bit integer). Default 18. */
  seed?: number;
  /** Exact number of events to produce. Default 1,000,000. */
  events?: number;
  /** Number of distinct users (activity is skewed: a few users produce many sessions). Default 10,000. */
  users?: number;
  /** Number of component paths, at most 50 x 4 = 200 (see {@link realisticPaths}). Default 50. */
  paths?: number;
  /** Days covered, ending at `end`. Default 7. */
  days?: number;
  /** The last instant covered (ISO 8601 UTC); every event is at or before it. Default 2026-01-08T00:00:00.000Z. */
  end?: string;
}

/** An event shaped like `FactoredEvent` of @factoredui/core. */
export interface RealisticEvent {
  id: string;
  sessionId: string;
  userId: string;
  type:
    | 'click'
    | 'rage_click'
    | 'dead_click'
    | 'scroll'
    | 'scroll_reversal'
    | 'input'
    | 'focus'
    | 'blur'
    | 'submit'
    | 'resize'
    | 'error'
    | 'visibility'
    | 'navigation'
    | 'impression'
    | 'custom';
  path: string;
  payload: Record<string, string | number | boolean>;
  createdAt: string;
}

/** A session shaped like `NewSession` of @factoredui/core (plus its user). */
export interface RealisticSession {
  id: string;
  userId: string;
  startedAt: string;
  metadata: { platform: string; deviceType: string; appVersion: string };
}

/** One chunk of {@link realisticEventChunks}: whole sessions and their events. */
export interface RealisticChunk {
  sessions: RealisticSession[];
  events: RealisticEvent[];
}

const DEFAULTS = {
  seed: 18,
  events: 1_000_000,
  users: 10_000,
  paths: 50,
  days: 7,
  end: '2026-01-08T00:00:00.000Z',
} as const;

const FLOWS = ['checkout', 'onboarding', 'search', 'account', 'support'] as const;
const STEPS = ['start', 'details', 'review', 'confirm', 'done'] as const;
const COMPONENTS = ['main-form', 'side-panel'] as const;
const ELEMENTS = ['primary', 'secondary', 'help', 'footer'] as const;

/**
 * The component paths of the generator in funnel order: `flow/step-N/component/element`, the
 * first 50 covering 5 flows x 5 steps x 2 components; beyond 50, further elements.
 */
export function realisticPaths(count: number = DEFAULTS.paths): string[] {
  const max = FLOWS.length * STEPS.length * COMPONENTS.length * ELEMENTS.length;
  if (!Number.isInteger(count) || count < 1 || count > max) {
    throw new RangeError(`paths must be an integer from 1 to ${max}, got ${String(count)}.`);
  }
  const out: string[] = [];
  for (const element of ELEMENTS) {
    for (const flow of FLOWS) {
      for (const [i, step] of STEPS.entries()) {
        for (const component of COMPONENTS) {
          out.push(`${flow}/${i}-${step}/${component}/${element}`);
          if (out.length === count) return out;
        }
      }
    }
  }
  return out;
}

/** mulberry32: a small, fast, well-mixed 32-bit generator; returns floats in [0, 1). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** A UUIDv7-shaped id: 48 bits of ms time, then a counter that makes it unique. */
function uuid7(ms: number, counter: number, variant: string): string {
  const t = hex(Math.max(0, ms), 12);
  const c = hex(counter, 15);
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${c.slice(0, 3)}-${variant}${c.slice(3, 6)}-${c.slice(3, 15)}`;
}

function check(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer >= ${min}, got ${String(value)}.`);
  }
  return value;
}

/**
 * Streams the generated data as chunks of whole sessions (about `chunkEvents` events each; the
 * last session of the data set is cut so the total is exactly `options.events`). Memory stays
 * bounded by one chunk, so 10M events can be generated and written without holding them.
 */
export function* realisticEventChunks(
  options: RealisticEventOptions = {},
  chunkEvents = 50_000,
): Generator<RealisticChunk> {
  const seed = options.seed ?? DEFAULTS.seed;
  const total = check('events', options.events ?? DEFAULTS.events, 0);
  const userCount = check('users', options.users ?? DEFAULTS.users, 1);
  const days = check('days', options.days ?? DEFAULTS.days, 1);
  check('chunkEvents', chunkEvents, 1);
  const endMs = Date.parse(options.end ?? DEFAULTS.end);
  if (Number.isNaN(endMs))
    throw new RangeError(`end must be an ISO 8601 time, got ${options.end}.`);
  const paths = realisticPaths(options.paths ?? DEFAULTS.paths);
  // Paths grouped into funnels: flow -> ordered steps -> the paths of that step.
  const funnels = new Map<string, string[][]>();
  for (const path of paths) {
    const [flow, stepName] = path.split('/') as [string, string];
    const index = Number(stepName.split('-')[0]);
    let steps = funnels.get(flow);
    if (steps === undefined) {
      steps = [];
      funnels.set(flow, steps);
    }
    const step = steps[index] ?? [];
    steps[index] = step;
    step.push(path);
  }
  const flows = [...funnels.values()].map((steps) => steps.filter((s) => s !== undefined));
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const spanMs = days * 86_400_000;
  // Sessions start early enough that their events (under two hours) end before `end`.
  const startSpan = Math.max(1, spanMs - 3 * 3_600_000);
  const userIds = Array.from({ length: userCount }, (_, u) => `user-${hex(u, 6)}`);

  let produced = 0;
  let sessionCounter = 0;
  let chunk: RealisticChunk = { sessions: [], events: [] };

  while (produced < total) {
    // Skewed activity: u = n * r^2 puts about 30% of sessions on the first 10% of users.
    const r = random();
    const userId = userIds[Math.min(userCount - 1, Math.floor(userCount * r * r))] as string;
    const startMs = endMs - spanMs + 1 + Math.floor(random() * startSpan);
    const sessionId = uuid7(startMs, sessionCounter, 'a');
    sessionCounter += 1;
    const mobile = random() < 0.4;
    chunk.sessions.push({
      id: sessionId,
      userId,
      startedAt: new Date(startMs).toISOString(),
      metadata: {
        platform: mobile ? 'ios' : 'web',
        deviceType: mobile ? 'mobile' : 'desktop',
        appVersion: pick(['1.4.0', '1.5.2', '2.0.0']),
      },
    });
    let t = startMs;
    const emit = (
      type: RealisticEvent['type'],
      path: string,
      payload: RealisticEvent['payload'],
    ) => {
      if (produced >= total) return;
      // 1% of events carry a clock skew (earlier than the previous one: out of order); 0.5%
      // share the previous timestamp (ties: hesitation needs a strictly later action).
      const skew = random();
      let at = t;
      if (skew < 0.01) at = t - 1 - Math.floor(random() * 400);
      else if (skew >= 0.015) {
        t += 20 + Math.floor(random() * 600);
        at = t;
      }
      chunk.events.push({
        id: uuid7(at, produced, '8'),
        sessionId,
        userId,
        type,
        path,
        payload,
        createdAt: new Date(at).toISOString(),
      });
      produced += 1;
    };
    const wait = (meanMs: number) => {
      // Exponential think time, capped at 2 minutes so a session stays under two hours.
      t += Math.min(120_000, Math.floor(-Math.log(1 - random()) * meanMs));
    };

    const steps = pick(flows);
    for (let s = 0; s < steps.length && produced < total; s += 1) {
      const stepPaths = steps[s] as string[];
      for (const [c, path] of stepPaths.entries()) {
        const depth = 2 + s + c;
        const payload: RealisticEvent['payload'] = {
          component_depth: depth,
          sibling_count: 1 + ((s * 3 + c) % 7),
        };
        if (path.includes('form')) payload.form_field_count = 2 + ((s + c) % 5);
        // A few malformed payloads (a number sent as a string): not a number, so not counted.
        if (random() < 0.01) payload.component_depth = String(depth);
        if (random() < 0.05) delete payload.sibling_count;
        emit('impression', path, payload);
        if (random() < 0.15) emit('scroll', path, { y: Math.floor(random() * 2000) });
        wait(c === 0 ? 1500 : 4000);
        const actions = c === 0 ? 1 + Math.floor(random() * 4) : Math.floor(random() * 2);
        for (let a = 0; a < actions; a += 1) {
          const kind = random();
          if (path.includes('form') && kind < 0.45) {
            emit('focus', path, {});
            emit('input', path, { field: `f${a}` });
            if (random() < 0.3) emit('input', path, { field: `f${a}` });
            emit('blur', path, {});
          } else if (kind < 0.8) {
            emit('click', path, { x: Math.floor(random() * 1200), y: Math.floor(random() * 800) });
          } else if (kind < 0.9) {
            emit('scroll', path, { y: Math.floor(random() * 4000) });
            if (random() < 0.25) emit('scroll_reversal', path, {});
          } else {
            emit('submit', path, {});
          }
          if (random() < 0.03) emit('rage_click', path, { clicks: 3 + Math.floor(random() * 4) });
          if (random() < 0.04) emit('dead_click', path, {});
          if (random() < 0.02) emit('error', path, { message: 'TypeError' });
          if (random() < 0.01) emit('custom', path, { name: 'tooltip_open' });
          wait(800);
        }
        if (random() < 0.02) emit('resize', path, { width: 390, height: 844 });
      }
      // The funnel: the main component completes its step, or the user leaves (more often
      // early), or goes back once.
      const main = stepPaths[0] as string;
      const leave = random() < 0.12 + 0.04 * s;
      if (leave) {
        if (random() < 0.5) emit('visibility', main, { state: 'hidden' });
        break;
      }
      if (random() < 0.05) emit('navigation', main, { action: 'back' });
      emit('navigation', main, { action: 'complete', step: s });
      wait(1200);
    }

    if (chunk.events.length >= chunkEvents || produced >= total) {
      yield chunk;
      chunk = { sessions: [], events: [] };
    }
  }
  if (chunk.events.length > 0 || chunk.sessions.length > 0) yield chunk;
}

/**
 * All the generated data at once: the sessions and exactly `options.events` events. Prefer
 * {@link realisticEventChunks} above a few million events.
 */
export function generateRealisticEvents(options: RealisticEventOptions = {}): RealisticChunk {
  const sessions: RealisticSession[] = [];
  const events: RealisticEvent[] = [];
  for (const chunk of realisticEventChunks(options, 100_000)) {
    for (const s of chunk.sessions) sessions.push(s);
    for (const e of chunk.events) events.push(e);
  }
  return { sessions, events };
}
