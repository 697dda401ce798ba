import { initCapture } from '@factoredui/core';
import {
  Component,
  createReactNativeAdapter,
  Element,
  FactoredProvider,
  Flow,
  type GlobalErrorUtils,
} from '@factoredui/react-native';
import { cleanup, fireEvent, render, screen } from '@testing-library/react-native';
import { Text } from 'react-native';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  advance,
  controllableStore,
  createAsyncStorage,
  createStores,
  eventsOf,
} from './helpers.js';
import {
  __installErrorUtils,
  __listenerCounts,
  __reportUncaught,
  __setAppState,
} from './react-native/index.js';

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2026-03-02T09:00:00.000Z') });
  __setAppState('active');
});
afterEach(async () => {
  await cleanup();
  // Let unmounted providers stop their capture (on the next task) before the clock goes.
  await vi.advanceTimersByTimeAsync(0);
  vi.clearAllTimers();
  vi.useRealTimers();
  delete (globalThis as { ErrorUtils?: unknown }).ErrorUtils;
});

/** A tap: touch start and end at the same point, as on a device. */
async function tap(target: ReturnType<typeof screen.getByTestId>, x: number, y: number) {
  await fireEvent(target, 'touchStart', { nativeEvent: { pageX: x, pageY: y } });
  await fireEvent(target, 'touchEnd', { nativeEvent: { pageX: x, pageY: y } });
}

function CartButton() {
  return (
    <Flow name="shop">
      <Component name="cart" testID="cart">
        <Element name="pay" testID="pay">
          <Text>Pay</Text>
        </Element>
      </Component>
    </Flow>
  );
}

describe('touches', () => {
  it('a tap is a click on the innermost path; a rage burst of taps gives one rage event', async () => {
    const { user, service } = createStores();
    const adapter = createReactNativeAdapter({ storage: null });
    await render(
      <FactoredProvider store={user} adapter={adapter}>
        <CartButton />
      </FactoredProvider>,
    );
    const pay = screen.getByTestId('pay');
    // Five taps 150 ms apart within a few dp: one burst.
    for (let i = 0; i < 5; i += 1) {
      await tap(pay, 200 + i * 2, 400 + i);
      await advance(150);
    }
    await advance(2000);
    await screen.unmount();
    await advance(0);

    const clicks = await eventsOf(service, 'click');
    expect(clicks).toHaveLength(5);
    expect(new Set(clicks.map((event) => event.path))).toEqual(new Set(['shop/cart/pay']));
    expect(clicks[0]!.payload).toMatchObject({ input: 'touch', x: 200, y: 400 });
    const rage = await eventsOf(service, 'rage_click');
    expect(rage).toHaveLength(1);
    expect(rage[0]).toMatchObject({
      path: 'shop/cart/pay',
      payload: { clicks: 5, input: 'touch' },
    });
  });

  it('taps far apart, slow taps and swipes are not rage; a swipe is not a click', async () => {
    const { user, service } = createStores();
    const adapter = createReactNativeAdapter({ storage: null });
    await render(
      <FactoredProvider store={user} adapter={adapter}>
        <CartButton />
      </FactoredProvider>,
    );
    const pay = screen.getByTestId('pay');
    // Three taps, each 100 dp from the previous: close in time, not in place.
    for (let i = 0; i < 3; i += 1) {
      await tap(pay, 50 + i * 100, 300);
      await advance(100);
    }
    await advance(1500);
    // Three taps 1.2 s apart: close in place, not in time.
    for (let i = 0; i < 3; i += 1) {
      await tap(pay, 50, 300);
      await advance(1200);
    }
    // Three swipes: the finger moved 40 dp between touch start and end.
    for (let i = 0; i < 3; i += 1) {
      await fireEvent(pay, 'touchStart', { nativeEvent: { pageX: 50, pageY: 300 } });
      await fireEvent(pay, 'touchEnd', { nativeEvent: { pageX: 50, pageY: 340 } });
      await advance(100);
    }
    await advance(2000);
    await screen.unmount();
    await advance(0);
    expect(await eventsOf(service, 'click')).toHaveLength(6);
    expect(await eventsOf(service, 'rage_click')).toHaveLength(0);
  });

  it('a tap bubbling through nested path views is counted once, at the inner path', async () => {
    const { user, service } = createStores();
    const adapter = createReactNativeAdapter({ storage: null });
    await render(
      <FactoredProvider store={user} adapter={adapter}>
        <CartButton />
      </FactoredProvider>,
    );
    const event = { nativeEvent: { pageX: 10, pageY: 10 } };
    // What React Native does with one touch: the inner handler, then every outer one.
    await fireEvent(screen.getByTestId('pay'), 'touchEnd', event);
    await fireEvent(screen.getByTestId('cart'), 'touchEnd', event);
    await screen.unmount();
    await advance(0);
    const clicks = await eventsOf(service, 'click');
    expect(clicks.map((click) => click.path)).toEqual(['shop/cart/pay']);
  });
});

describe('AppState', () => {
  it('background ends the active period (hidden, saved, flushed); foreground resumes the session', async () => {
    const { user, service } = createStores();
    const storage = createAsyncStorage();
    const adapter = createReactNativeAdapter({ storage });
    // Automatic flushes far away: only the background transition may send.
    const capture = initCapture({ store: user, adapter, flushIntervalMs: 3_600_000 });
    await capture.ready;
    capture.trackNavigation('shop/home');
    const first = capture.getSessionId();
    await advance(1000);
    expect(await eventsOf(service, 'navigation')).toHaveLength(0);

    __setAppState('inactive'); // iOS app switcher: neither hidden nor back
    __setAppState('background');
    await advance(0);
    const hidden = await eventsOf(service, 'navigation', 'visibility');
    expect(hidden.map((event) => [event.type, event.payload.state ?? null])).toEqual([
      ['navigation', null],
      ['visibility', 'hidden'],
    ]);
    // The session is on disk: a kill in the background does not lose it.
    expect([...storage.data.values()].some((value) => value.includes(first))).toBe(true);

    await advance(60_000); // a minute away
    __setAppState('active');
    expect(capture.getSessionId()).toBe(first);
    await capture.flushEvents();
    const back = await eventsOf(service, 'visibility');
    expect(back.map((event) => [event.payload.state, event.sessionId])).toEqual([
      ['hidden', first],
      ['visible', first],
    ]);

    // Longer away than the session timeout (30 min): coming back starts a new session.
    __setAppState('background');
    await advance(31 * 60_000);
    __setAppState('active');
    const second = capture.getSessionId();
    expect(second).not.toBe(first);
    await capture.stopCapture();
    const all = await eventsOf(service, 'visibility');
    expect(all.at(-1)).toMatchObject({ payload: { state: 'visible' }, sessionId: second });
    expect(__listenerCounts().appState).toBe(0);
  });
});

describe('durable queue on async storage', () => {
  it('events enqueued before a crash are sent after the restart, exactly once', async () => {
    const { user, service } = createStores();
    const storage = createAsyncStorage();
    const first = controllableStore(user);
    first.state.mode = 'offline';
    const before = initCapture({
      store: first.store,
      adapter: createReactNativeAdapter({ storage }),
      flushIntervalMs: 50,
    });
    await before.ready;
    const ids = Array.from({ length: 7 }, (_, i) => before.track('custom', 'shop/home', { n: i }));
    await advance(5000); // failed writes, retried, the queue persisted
    expect(first.state.sent.length).toBeGreaterThan(0);
    expect(await eventsOf(service, 'custom')).toHaveLength(0);

    // The crash: no background transition, no stop; nothing of that run executes again.
    vi.clearAllTimers();

    const second = controllableStore(user);
    const after = initCapture({
      store: second.store,
      adapter: createReactNativeAdapter({ storage }),
      flushIntervalMs: 50,
    });
    await after.ready;
    await advance(5000);
    await after.stopCapture();

    const stored = await eventsOf(service, 'custom');
    expect(stored.map((event) => event.id).sort()).toEqual([...ids].sort());
    expect(second.state.sent.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());

    // A third start finds nothing left to send.
    const third = controllableStore(user);
    const again = initCapture({
      store: third.store,
      adapter: createReactNativeAdapter({ storage }),
    });
    await again.ready;
    await advance(5000);
    await again.stopCapture();
    expect(third.state.sent.filter((id) => ids.includes(id))).toEqual([]);
  });

  it('a write that landed but whose answer was lost before the crash is stored once', async () => {
    const { user, service } = createStores();
    const storage = createAsyncStorage();
    const first = controllableStore(user);
    first.state.mode = 'lose-answer';
    const before = initCapture({
      store: first.store,
      adapter: createReactNativeAdapter({ storage }),
      flushIntervalMs: 50,
    });
    await before.ready;
    const ids = [0, 1, 2].map((n) => before.track('custom', 'shop/home', { n }));
    await advance(500);
    vi.clearAllTimers();

    const after = initCapture({
      store: user,
      adapter: createReactNativeAdapter({ storage }),
      flushIntervalMs: 50,
    });
    await after.ready;
    await advance(5000);
    await after.stopCapture();
    const stored = await eventsOf(service, 'custom');
    expect(stored.map((event) => event.id).sort()).toEqual([...ids].sort());
  });
});

describe('global errors', () => {
  it('records uncaught errors at the last touched path, then calls the previous handler', async () => {
    const { reached } = __installErrorUtils();
    const { user, service } = createStores();
    const adapter = createReactNativeAdapter({ storage: null });
    await render(
      <FactoredProvider store={user} adapter={adapter}>
        <CartButton />
      </FactoredProvider>,
    );
    await tap(screen.getByTestId('pay'), 20, 20);
    const error = new Error('payment sheet failed');
    __reportUncaught(error, false);
    expect(reached).toEqual([{ error, isFatal: false }]);
    await screen.unmount();
    await advance(0);
    const errors = await eventsOf(service, 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      path: 'shop/cart/pay',
      payload: { kind: 'error', fatal: false, message: 'payment sheet failed' },
    });
    // Stopped: the previous handler is back, and errors are no longer recorded.
    __reportUncaught(new Error('after stop'), false);
    expect(reached).toHaveLength(2);
    expect(await eventsOf(service, 'error')).toHaveLength(1);
  });

  it('a fatal error saves and flushes the queue before the previous handler runs', async () => {
    const { reached } = __installErrorUtils();
    const { user, service } = createStores();
    const adapter = createReactNativeAdapter({ storage: createAsyncStorage() });
    const capture = initCapture({ store: user, adapter, flushIntervalMs: 3_600_000 });
    await capture.ready;
    capture.trackNavigation('shop/checkout');
    __reportUncaught(new Error('out of memory'), true);
    expect(reached).toHaveLength(1);
    await advance(0);
    const sent = await eventsOf(service, 'navigation', 'error');
    expect(sent.map((event) => event.type)).toEqual(['navigation', 'error']);
    expect(sent[1]!.payload).toMatchObject({ fatal: true, message: 'out of memory' });
    await capture.stopCapture();
  });
});

describe('lifecycle', () => {
  it('one capture per adapter; stopping leaves a handler installed by someone else in place', async () => {
    const { reached } = __installErrorUtils();
    const { user } = createStores();
    const adapter = createReactNativeAdapter({ storage: null });
    // Crashed captures of earlier tests never stopped: count from here.
    const listenersBefore = __listenerCounts().appState;
    const capture = initCapture({ store: user, adapter });
    expect(adapter.started).toBe(true);
    expect(__listenerCounts().appState).toBe(listenersBefore + 1);
    expect(() => adapter.start(() => {}, { currentPath: () => null })).toThrowError(
      expect.objectContaining({ code: 'conflict' }),
    );
    // A crash reporter installed after capture started (it chains to ours).
    const utils = (globalThis as unknown as { ErrorUtils: GlobalErrorUtils }).ErrorUtils;
    const ours = utils.getGlobalHandler();
    const reporter = (error: unknown, fatal?: boolean) => ours(error, fatal);
    utils.setGlobalHandler(reporter);
    await capture.stopCapture();
    expect(adapter.started).toBe(false);
    expect(utils.getGlobalHandler()).toBe(reporter);
    expect(__listenerCounts().appState).toBe(listenersBefore);
    __reportUncaught(new Error('late'), false);
    expect(reached).toHaveLength(1);
  });
});

describe('options', () => {
  it('rejects a storage without the three methods and a negative tap slop', () => {
    expect(() =>
      createReactNativeAdapter({ storage: { getItem: () => null } as never }),
    ).toThrowError(expect.objectContaining({ code: 'invalid_input' }));
    expect(() => createReactNativeAdapter({ tapSlop: -1 })).toThrowError(
      expect.objectContaining({ code: 'invalid_input' }),
    );
  });
});
