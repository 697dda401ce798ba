// @vitest-environment jsdom
import {
  type CaptureHandle,
  createMemoryKVStorage,
  createWebAdapter,
  type FactoredEvent,
  initCapture,
  type WebAdapterOptions,
} from '@factoredui/core';
import { createMemoryStore, type MemoryStore } from '@factoredui/store-memory';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { persistedEvents } from '../../core/test/capture/sim.js';

const TYPED = 'hunter2-secret-typed@example.com';

const PAGE = `
<main data-factored-flow="shop" data-factored-page="checkout">
  <section data-factored-component="cart">
    <button id="buy" data-factored-element="buy">Buy</button>
    <button id="noop" data-factored-element="noop">Does nothing</button>
    <a id="link" href="/next" data-factored-element="next">Next</a>
    <button id="quiet" data-factored-element="quiet" data-factored-no-rage data-factored-no-dead>Quiet</button>
    <button id="boom" data-factored-element="boom">Boom</button>
    <p id="status"></p>
  </section>
  <form id="form" data-factored-component="address-form">
    <input id="email" type="email" data-factored-element="email" />
    <button id="other" type="button" data-factored-element="other">Other</button>
  </form>
  <div id="dialog" data-factored-component="dialog">
    <div id="dialog-body"><button id="close" data-factored-element="close">Close</button></div>
  </div>
  <div id="list" data-factored-component="results"><span id="row">row</span></div>
  <div data-factored-ignore data-factored-component="card-entry">
    <button id="secret-button" data-factored-element="pay">Pay</button>
    <input id="secret-input" data-factored-element="card-number" />
  </div>
</main>
<aside><button id="orphan">No path</button></aside>
`;

let store: MemoryStore;
let storage: ReturnType<typeof createMemoryKVStorage>;
let capture: CaptureHandle;

const $ = (id: string) => document.getElementById(id)!;

function click(id: string, init: MouseEventInit = {}) {
  $(id).dispatchEvent(
    new MouseEvent('click', { bubbles: true, cancelable: true, clientX: 10, clientY: 20, ...init }),
  );
}

function start(options: Partial<WebAdapterOptions> = {}) {
  capture = initCapture({
    store,
    adapter: createWebAdapter({ storage, ...options }),
    appVersion: '3.1.0',
    flushIntervalMs: 60_000,
  });
  capture.trackNavigation('shop/checkout');
}

async function stored(): Promise<FactoredEvent[]> {
  await capture.flushEvents();
  return store.listEvents();
}

const summary = (events: FactoredEvent[]) => events.map((e) => `${e.type} ${e.path}`);
const ofType = (events: FactoredEvent[], type: FactoredEvent['type']) =>
  events.filter((e) => e.type === type);

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse('2026-01-05T10:00:00.000Z'));
  document.body.innerHTML = PAGE;
  storage = createMemoryKVStorage();
  store = createMemoryStore({ userId: 'shopper-1', storage });
  // The app: "buy" shows a message, links are handled by a router, "boom" throws.
  $('buy').addEventListener('click', () => {
    $('status').textContent = 'Added!';
  });
  $('link').addEventListener('click', (e) => e.preventDefault());
  $('boom').addEventListener('click', () => {
    throw new Error('checkout exploded');
  });
  $('close').addEventListener('click', () => $('dialog-body').remove());
});

afterEach(async () => {
  await capture?.stopCapture();
  vi.useRealTimers();
  document.body.innerHTML = '';
});

describe('web capture into a memory store', () => {
  it('records clicks with their component paths and session metadata', async () => {
    start();
    click('buy');
    click('link');
    await vi.advanceTimersByTimeAsync(3000);
    const events = await stored();
    expect(summary(events)).toEqual([
      'navigation shop/checkout',
      'click shop/checkout/cart/buy',
      'click shop/checkout/cart/next',
    ]);
    expect(events[1]!.payload).toEqual({ x: 10, y: 20, button: 0, tag: 'button' });
    const session = await store.getSession(capture.getSessionId());
    expect(session.metadata).toMatchObject({
      platform: 'web',
      appVersion: '3.1.0',
      viewport: { width: window.innerWidth, height: window.innerHeight },
    });
    expect(new Set(events.map((e) => e.sessionId))).toEqual(new Set([session.id]));
  });

  it('reports one rage click per burst of 3 fast clicks in one place', async () => {
    start();
    for (let i = 0; i < 4; i += 1) {
      click('noop', { clientX: 100 + i * 5, clientY: 100 });
      await vi.advanceTimersByTimeAsync(200);
    }
    await vi.advanceTimersByTimeAsync(1500);
    // Two clicks, then a pause: not a burst.
    click('noop');
    await vi.advanceTimersByTimeAsync(500);
    click('noop');
    await vi.advanceTimersByTimeAsync(3000);
    const events = await stored();
    const rage = ofType(events, 'rage_click');
    expect(rage).toHaveLength(1);
    expect(rage[0]).toMatchObject({ path: 'shop/checkout/cart/noop', payload: { clicks: 4 } });
    expect(ofType(events, 'click')).toHaveLength(6);
  });

  it('does not start a rage burst across far-apart clicks or different elements', async () => {
    start();
    click('noop', { clientX: 0 });
    await vi.advanceTimersByTimeAsync(100);
    click('noop', { clientX: 200 });
    await vi.advanceTimersByTimeAsync(100);
    click('buy', { clientX: 200 });
    await vi.advanceTimersByTimeAsync(100);
    click('noop', { clientX: 200 });
    await vi.advanceTimersByTimeAsync(3000);
    expect(ofType(await stored(), 'rage_click')).toHaveLength(0);
  });

  it('reports a click with no reaction as dead, and a click that changed the page as alive', async () => {
    start();
    click('noop');
    await vi.advanceTimersByTimeAsync(2400);
    expect(ofType(await stored(), 'dead_click')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(200);
    click('buy');
    await vi.advanceTimersByTimeAsync(3000);
    const dead = ofType(await stored(), 'dead_click');
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ path: 'shop/checkout/cart/noop', payload: { tag: 'button' } });
    // Timestamped at the click, not when the verdict came.
    expect(dead[0]!.createdAt).toBe('2026-01-05T10:00:00.000Z');
  });

  it('counts any DOM change after a click as its reaction, even one caused by another click', async () => {
    start();
    click('noop');
    click('buy');
    await vi.advanceTimersByTimeAsync(3000);
    expect(ofType(await stored(), 'dead_click')).toEqual([]);
  });

  it('never reports modifier clicks, links, form fields or clicks followed by a reaction as dead', async () => {
    start();
    click('noop', { ctrlKey: true });
    click('noop', { metaKey: true });
    click('link');
    click('email');
    await vi.advanceTimersByTimeAsync(3000);
    // Scroll within 100 ms.
    click('noop');
    await vi.advanceTimersByTimeAsync(50);
    document.dispatchEvent(new Event('scroll'));
    await vi.advanceTimersByTimeAsync(3000);
    // Focus moves elsewhere (a dialog took it).
    click('noop');
    $('other').dispatchEvent(new FocusEvent('focusin', { bubbles: true }));
    await vi.advanceTimersByTimeAsync(3000);
    // A DOM change a second later (a slow request finished).
    click('noop');
    await vi.advanceTimersByTimeAsync(1000);
    $('status').textContent = 'Loaded';
    await vi.advanceTimersByTimeAsync(3000);
    const events = await stored();
    expect(ofType(events, 'click')).toHaveLength(7);
    expect(ofType(events, 'dead_click')).toEqual([]);
  });

  it('a click followed by the page being hidden is not dead', async () => {
    start();
    click('noop');
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
    await vi.advanceTimersByTimeAsync(3000);
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
    const events = await stored();
    expect(ofType(events, 'dead_click')).toEqual([]);
    expect(ofType(events, 'visibility')).toMatchObject([
      { path: 'shop/checkout', payload: { state: 'hidden' } },
    ]);
  });

  it('on page hide, persists the queue and sends it with keepalive, hide event included', async () => {
    start();
    const insert = vi.spyOn(store, 'insertEvents');
    click('buy');
    await vi.advanceTimersByTimeAsync(10);
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
    // Persisted within the task of the hide event: microtasks only, no timer.
    for (let i = 0; i < 50; i += 1) await Promise.resolve();
    const persisted = await persistedEvents(storage);
    expect(persisted.map((e) => e.type)).toEqual(['navigation', 'click', 'visibility']);
    await vi.advanceTimersByTimeAsync(0);
    expect(insert).toHaveBeenCalledTimes(1);
    const [sent, options] = insert.mock.calls[0]!;
    expect(options).toEqual({ keepalive: true });
    expect(sent.map((e) => e.type)).toEqual(['navigation', 'click', 'visibility']);
    expect(capture.getStats().queued).toBe(0);
  });

  it('honours data-factored-no-rage and data-factored-no-dead', async () => {
    start();
    for (let i = 0; i < 5; i += 1) {
      click('quiet');
      await vi.advanceTimersByTimeAsync(100);
    }
    await vi.advanceTimersByTimeAsync(3000);
    const events = await stored();
    expect(ofType(events, 'click')).toHaveLength(5);
    expect(ofType(events, 'rage_click')).toEqual([]);
    expect(ofType(events, 'dead_click')).toEqual([]);
  });

  it('detects a quick scroll back and forth as a reversal, not a slow return', async () => {
    start();
    const scrollTo = (y: number) => {
      Object.defineProperty(window, 'scrollY', { value: y, configurable: true });
      document.dispatchEvent(new Event('scroll'));
    };
    scrollTo(100);
    await vi.advanceTimersByTimeAsync(100);
    scrollTo(400);
    await vi.advanceTimersByTimeAsync(100);
    scrollTo(150); // back up right away
    await vi.advanceTimersByTimeAsync(100);
    await vi.advanceTimersByTimeAsync(2000);
    scrollTo(600); // down again, but after a pause: reading, not hunting
    await vi.advanceTimersByTimeAsync(100);
    // An element scroll container has its own path and its own reversal tracking.
    const list = $('list');
    const scrollList = (top: number) => {
      Object.defineProperty(list, 'scrollTop', { value: top, configurable: true });
      list.dispatchEvent(new Event('scroll'));
    };
    scrollList(0);
    await vi.advanceTimersByTimeAsync(100);
    scrollList(80);
    await vi.advanceTimersByTimeAsync(100);
    scrollList(10);
    await vi.advanceTimersByTimeAsync(100);
    const events = await stored();
    expect(ofType(events, 'scroll_reversal').map((e) => [e.path, e.payload])).toEqual([
      ['shop/checkout', { direction: 'up', y: 150 }],
      ['shop/checkout/results', { direction: 'up', y: 10 }],
    ]);
    // Scroll itself is throttled: one per second per container, not one per event.
    const scrolls = ofType(events, 'scroll');
    expect(scrolls.filter((e) => e.path === 'shop/checkout')).toHaveLength(2);
    expect(scrolls.filter((e) => e.path === 'shop/checkout/results')).toHaveLength(1);
  });

  it('records input, focus and blur with tag and path only: the typed value is stored nowhere', async () => {
    start();
    const email = $('email') as HTMLInputElement;
    email.dispatchEvent(new FocusEvent('focusin', { bubbles: true }));
    for (const ch of TYPED) {
      email.value += ch;
      email.dispatchEvent(new InputEvent('input', { bubbles: true, data: ch }));
      await vi.advanceTimersByTimeAsync(50);
    }
    email.dispatchEvent(new FocusEvent('focusout', { bubbles: true }));
    $('form').dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    // The ignored subtree gets typed into as well.
    const secret = $('secret-input') as HTMLInputElement;
    secret.value = TYPED;
    secret.dispatchEvent(new InputEvent('input', { bubbles: true, data: TYPED }));
    secret.dispatchEvent(new FocusEvent('focusin', { bubbles: true }));
    // Page hidden mid-way: the queue is persisted to storage too.
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
    await vi.advanceTimersByTimeAsync(3000);
    const events = await stored();
    expect(
      summary(events.filter((e) => e.type !== 'navigation' && e.type !== 'visibility')),
    ).toEqual([
      'focus shop/checkout/address-form/email',
      // one input event for the burst of typing, not one per keystroke
      'input shop/checkout/address-form/email',
      'blur shop/checkout/address-form/email',
      'submit shop/checkout/address-form',
    ]);
    for (const event of events.filter((e) => e.path.includes('address-form')))
      expect(Object.keys(event.payload)).toEqual(['tag']);

    await store.database.flush();
    const everything = [
      JSON.stringify([...store.database.tables.events.values()]),
      JSON.stringify([...store.database.tables.sessions.values()]),
      ...storage.data.values(),
    ].join('\n');
    expect(storage.data.size).toBeGreaterThan(1); // store, session and queue were persisted
    expect(everything).not.toContain(TYPED);
    expect(everything).not.toContain('hunter2');
  });

  it('captures nothing inside data-factored-ignore and nothing without a path', async () => {
    start();
    click('secret-button');
    click('orphan');
    ($('secret-input') as HTMLInputElement).dispatchEvent(new Event('input', { bubbles: true }));
    await vi.advanceTimersByTimeAsync(3000);
    const events = await stored();
    expect(summary(events)).toEqual(['navigation shop/checkout']);
  });

  it('attributes a thrown error to what the user just did, else to the page', async () => {
    start();
    // The app's own error reporter marks errors handled, so jsdom does not print them.
    const handled = (event: Event) => event.preventDefault();
    window.addEventListener('error', handled);
    click('boom'); // the app's click handler throws
    window.removeEventListener('error', handled);
    await vi.advanceTimersByTimeAsync(10_000);
    const rejection = new Event('unhandledrejection');
    Object.assign(rejection, { reason: new Error('request failed') });
    window.dispatchEvent(rejection);
    const errors = ofType(await stored(), 'error');
    expect(errors.map((e) => [e.path, e.payload])).toEqual([
      ['shop/checkout/cart/boom', { kind: 'error', message: 'checkout exploded' }],
      ['shop/checkout', { kind: 'unhandledrejection', message: 'request failed' }],
    ]);
  });

  it('keeps the path of an element its click handler removed', async () => {
    start({ deadClick: false });
    click('close');
    await vi.advanceTimersByTimeAsync(10);
    expect(summary(ofType(await stored(), 'click'))).toEqual(['click shop/checkout/dialog/close']);
  });

  it('records resize once the window settles, with the page path', async () => {
    start();
    window.dispatchEvent(new Event('resize'));
    await vi.advanceTimersByTimeAsync(100);
    window.dispatchEvent(new Event('resize'));
    await vi.advanceTimersByTimeAsync(600);
    expect(ofType(await stored(), 'resize').map((e) => [e.path, e.payload])).toEqual([
      ['shop/checkout', { width: window.innerWidth, height: window.innerHeight }],
    ]);
  });

  it('stops listening on stopCapture and still delivers what was pending', async () => {
    start();
    click('noop');
    click('noop');
    click('noop');
    const result = await capture.stopCapture();
    expect(result.ok).toBe(true);
    click('buy');
    await vi.advanceTimersByTimeAsync(5000);
    const events = await store.listEvents();
    expect(ofType(events, 'click')).toHaveLength(3);
    // The burst was open when capture stopped: it is reported, once.
    expect(ofType(events, 'rage_click')).toHaveLength(1);
    expect(capture.trackImpression('shop/checkout/cart')).toBeNull();
  });

  it('continues the session across a reload within the timeout and starts a new one after', async () => {
    start();
    click('buy');
    const first = capture.getSessionId();
    await capture.stopCapture();
    await vi.advanceTimersByTimeAsync(10 * 60 * 1000);
    start();
    expect(capture.getSessionId()).toBe(first);
    await capture.stopCapture();
    await vi.advanceTimersByTimeAsync(31 * 60 * 1000);
    start();
    const third = capture.getSessionId();
    expect(third).not.toBe(first);
    await capture.flushEvents();
    expect((await store.listSessions()).map((s) => s.id).sort()).toEqual([first, third].sort());
  });
});
