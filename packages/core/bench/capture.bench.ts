/**
 * Capture overhead: what the event writer costs per event, how fast it drains into a store,
 * and what the web adapter adds to a click (jsdom, so absolute numbers are pessimistic; the
 * difference against a page without capture is the figure that matters).
 */
import { JSDOM } from 'jsdom';
import type { BenchRecord, BenchSuite } from '../../../scripts/bench-types.js';
import {
  type CaptureStore,
  createEventWriter,
  createWebAdapter,
  type SessionRecord,
} from '../src/capture/index.js';
import { createMemoryKVStorage } from '../src/util/kv.js';
import { createVirtualTime } from '../test/capture/sim.js';

const SESSION: SessionRecord = {
  id: '0b8f5a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
  startedAt: new Date().toISOString(),
  metadata: { platform: 'web' },
};

/** A store that accepts everything and does nothing: isolates the writer's own cost. */
const noopStore: CaptureStore = {
  getIdentity: async () => ({ role: 'user', userId: 'bench-user' }),
  startSession: async (session) => ({ ...session }),
  insertEvents: async (events) => ({ inserted: events.length, duplicates: 0 }),
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const spread = (values: number[]) =>
  `min ${Math.min(...values).toFixed(0)}, max ${Math.max(...values).toFixed(0)}, ${values.length} runs`;

function newWriter(maxQueueSize: number) {
  const writer = createEventWriter({
    store: noopStore,
    autoFlush: false,
    maxQueueSize,
    // Measures the writer, not its bound: the whole run fits.
    maxQueueBytes: 1e12,
    batchSize: 50,
  });
  writer.startSession(SESSION);
  return writer;
}

function enqueueNsPerOp(n: number): number {
  const writer = newWriter(n + 1);
  const payload = { x: 120, y: 48, button: 0, tag: 'button' };
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i += 1)
    writer.enqueue({
      sessionId: SESSION.id,
      type: 'click',
      path: 'shop/checkout/cart/buy',
      payload,
    });
  const ns = Number(process.hrtime.bigint() - start) / n;
  writer.close();
  return ns;
}

async function drainEventsPerSecond(n: number): Promise<number> {
  const writer = newWriter(n + 1);
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i += 1)
    writer.enqueue({
      sessionId: SESSION.id,
      type: 'scroll',
      path: 'shop/catalog',
      payload: { y: i },
    });
  const result = await writer.flush();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (!result.ok || result.written !== n) throw new Error('drain did not write everything');
  writer.close();
  return n / seconds;
}

/**
 * CPU per event of persistence at 100 events/s with the store offline (the queue grows to
 * `n`): enqueue, plus one chunk commit per 100 ms into a synchronous KV storage, on virtual
 * time so the figure is the work, not the waiting.
 */
async function persistNsPerEvent(n: number): Promise<number> {
  const time = createVirtualTime();
  const writer = createEventWriter({
    store: noopStore,
    storage: createMemoryKVStorage(),
    autoFlush: false,
    maxQueueSize: n + 1,
    timers: time.timers(),
    now: time.now,
  });
  writer.startSession(SESSION);
  await writer.ready;
  const payload = { x: 120, y: 48, button: 0, tag: 'button' };
  let cpu = 0;
  for (let i = 0; i < n; i += 10) {
    const start = process.cpuUsage();
    for (let k = 0; k < 10; k += 1)
      writer.enqueue({
        sessionId: SESSION.id,
        type: 'click',
        path: 'shop/checkout/cart/buy',
        payload,
      });
    await time.advance(100);
    const used = process.cpuUsage(start);
    cpu += (used.user + used.system) * 1000;
  }
  if (writer.getStats().unpersisted !== 0) throw new Error('persistence failed');
  return cpu / n;
}

const PAGE = `
<main data-factored-flow="shop" data-factored-page="checkout">
  <section data-factored-component="cart">
    <div><div><ul><li><button id="buy" data-factored-element="buy"><span id="label">Buy</span></button></li></ul></div></div>
  </section>
</main>`;

/** Microseconds per click dispatch, with or without capture; `deferred` includes the microtask work. */
async function clickMicros(withCapture: boolean, deferred: boolean, n: number): Promise<number> {
  const dom = new JSDOM(`<!doctype html><body>${PAGE}</body>`);
  const win = dom.window;
  const adapter = createWebAdapter({
    window: win,
    storage: null,
    // Spread clicks apart so every click is a fresh burst and candidate, as on a real page.
    rageClick: { maxDistancePx: 0 },
  });
  let emitted = 0;
  if (withCapture) adapter.start(() => (emitted += 1), { currentPath: () => null });
  const label = win.document.getElementById('label')!;
  const MouseEventCtor = dom.window.MouseEvent;
  // Warm up.
  for (let i = 0; i < 200; i += 1)
    label.dispatchEvent(new MouseEventCtor('click', { bubbles: true, clientX: i }));
  await Promise.resolve();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i += 1) {
    label.dispatchEvent(new MouseEventCtor('click', { bubbles: true, clientX: i }));
    if (deferred) await Promise.resolve();
  }
  const micros = Number(process.hrtime.bigint() - start) / 1e3 / n;
  adapter.stop();
  dom.window.close();
  if (withCapture && deferred && emitted === 0) throw new Error('capture emitted nothing');
  return micros;
}

const suite: BenchSuite = {
  title: 'Capture pipeline',
  async run() {
    const records: BenchRecord[] = [];
    const enqueue = Array.from({ length: 7 }, () => enqueueNsPerOp(50_000));
    records.push({
      name: 'writer enqueue (validate, UUIDv7, queue)',
      value: median(enqueue),
      unit: 'ns/op',
      better: 'lower',
      notes: spread(enqueue),
    });
    const persist = Array.from({ length: 5 }, () => 0);
    for (let i = 0; i < persist.length; i += 1) persist[i] = await persistNsPerEvent(2000);
    records.push({
      name: 'writer enqueue + persistence (a chunk per 100 ms, queue growing to 2,000)',
      value: median(persist),
      unit: 'ns/event',
      better: 'lower',
      notes: `CPU time incl. the simulation's scheduling; in-memory synchronous storage; ${spread(persist)}`,
    });
    const drain: number[] = [];
    for (let i = 0; i < 5; i += 1) drain.push(await drainEventsPerSecond(50_000));
    records.push({
      name: 'writer enqueue + flush to a no-op store',
      value: median(drain),
      unit: 'events/s',
      better: 'higher',
      notes: `batches of 50; ${spread(drain)}`,
    });

    // Interleaved, so load from other processes hits every variant alike.
    const runs = 7;
    const n = 2000;
    const bare: number[] = [];
    const listener: number[] = [];
    const full: number[] = [];
    const bareDeferred: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      bare.push(await clickMicros(false, false, n));
      listener.push(await clickMicros(true, false, n));
      bareDeferred.push(await clickMicros(false, true, n));
      full.push(await clickMicros(true, true, n));
    }
    records.push(
      {
        name: 'jsdom click dispatch, no capture',
        value: median(bare),
        unit: 'µs/click',
        better: 'lower',
        notes: `baseline: jsdom's own dispatch cost, ${runs} runs of ${n} clicks`,
      },
      {
        name: 'jsdom click dispatch, capture listener only',
        value: median(listener),
        unit: 'µs/click',
        better: 'lower',
        notes: 'synchronous cost inside the event dispatch',
      },
      {
        name: 'capture listener overhead per click',
        value: median(listener) - median(bare),
        unit: 'µs/click',
        better: 'lower',
        notes: 'listener-only minus no capture; within run-to-run noise when near 0 or negative',
      },
      {
        name: 'capture total per click incl. deferred work',
        value: median(full) - median(bareDeferred),
        unit: 'µs/click',
        better: 'lower',
        notes: 'path resolution, rage/dead detectors and emit, run in a microtask after dispatch',
      },
    );
    return records;
  },
  ratios: [
    {
      label: 'click dispatch with capture listener vs without',
      numerator: 'jsdom click dispatch, capture listener only',
      denominator: 'jsdom click dispatch, no capture',
    },
  ],
};

export default suite;
