// @vitest-environment jsdom
import type { FactoredError, FactoredStore } from '@factoredui/core';
import {
  Component,
  Element,
  FactoredProvider,
  Flow,
  Page,
  type ReactCapture,
  useCapture,
  useComponentPath,
} from '@factoredui/react';
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { type ReactNode, StrictMode, useLayoutEffect } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { countingAdapter, createStores, eventsOf, whileRenderThrows } from './helpers.js';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function ShowPath() {
  return <output>{useComponentPath() ?? '(none)'}</output>;
}

let captured: ReactCapture | null = null;
function GrabCapture() {
  captured = useCapture();
  return null;
}

function Checkout({ children }: { children?: ReactNode }) {
  return (
    <Flow name="checkout">
      <Page name="review">
        <Component name="payment-form">
          <Element name="submit">
            <button type="button">Pay</button>
            <ShowPath />
          </Element>
          {children}
        </Component>
      </Page>
    </Flow>
  );
}

describe('path components', () => {
  it('build the path from context and tag a display: contents wrapper', () => {
    const { container } = render(<Checkout />);
    expect(screen.getByRole('status').textContent).toBe('checkout/review/payment-form/submit');
    const wrapper = container.querySelector('[data-factored-element="submit"]') as HTMLElement;
    expect(wrapper.style.display).toBe('contents');
    expect(wrapper.closest('[data-factored-flow="checkout"]')).not.toBeNull();
  });

  it('is null outside any level and drops inner levels under a new outer one', () => {
    render(
      <>
        <ShowPath />
        <Flow name="shop">
          <Component name="cart">
            <Page name="checkout">
              <ShowPath />
            </Page>
          </Component>
        </Flow>
      </>,
    );
    const [outside, inner] = screen.getAllByRole('status');
    expect(outside?.textContent).toBe('(none)');
    // Same rule as the DOM resolver: a page inside a component starts a new page scope.
    expect(inner?.textContent).toBe('shop/checkout');
  });

  it('rejects a segment with a slash, naming the component', () => {
    expect(() => whileRenderThrows(() => render(<Flow name="a/b" />))).toThrow(
      /<Flow name="a\/b">/,
    );
    let thrown: unknown = null;
    try {
      whileRenderThrows(() => render(<Page name="  " />));
    } catch (error) {
      thrown = error;
    }
    expect((thrown as FactoredError).code).toBe('invalid_input');
  });

  it('renders a span wrapper on request', () => {
    const { container } = render(
      <p>
        <Element name="link" as="span">
          text
        </Element>
      </p>,
    );
    expect(container.querySelector('p > span[data-factored-element="link"]')).not.toBeNull();
  });
});

function TrackOnMount() {
  const capture = useCapture();
  // A child's layout effect runs before the provider's, which starts capture.
  useLayoutEffect(() => {
    expect(capture.active).toBe(false);
    expect(capture.trackNavigation('checkout/review', { from: 'cart' })).toBeNull();
    expect(() => capture.trackNavigation('a//b')).toThrow(/segments may not be empty/);
  }, [capture]);
  return null;
}

describe('capture through the provider', () => {
  it('records real clicks with the nested path', async () => {
    const { user, service } = createStores();
    render(
      <FactoredProvider store={user} capture={{ storage: null, flushIntervalMs: 60_000 }}>
        <GrabCapture />
        <Checkout>
          <Element name="cancel">
            <button type="button">Cancel</button>
          </Element>
        </Checkout>
      </FactoredProvider>,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Pay' }));
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await act(async () => {
      await captured!.flushEvents();
    });
    const clicks = await eventsOf(service, 'click');
    expect(clicks.map((e) => e.path)).toEqual([
      'checkout/review/payment-form/submit',
      'checkout/review/payment-form/cancel',
    ]);
    expect(clicks.every((e) => e.userId === 'user-1')).toBe(true);
  });

  it('useCapture().track(name, properties) records a custom event; bad properties throw at once', async () => {
    const { user, service } = createStores();
    render(
      <FactoredProvider store={user} capture={{ storage: null, flushIntervalMs: 60_000 }}>
        <GrabCapture />
      </FactoredProvider>,
    );
    await waitFor(() => expect(captured?.active).toBe(true));
    captured!.trackNavigation('shop/checkout');
    captured!.track('purchase', { revenue: 42.5 });
    expect(() => captured!.track('purchase', { revenue: '42' as never })).toThrow(/finite number/);
    await act(async () => {
      await captured!.flushEvents();
    });
    const custom = await eventsOf(service, 'custom');
    expect(custom.map((e) => [e.path, e.payload])).toEqual([
      ['shop/checkout', { name: 'purchase', properties: { revenue: 42.5 } }],
    ]);
  });

  it('records one impression per path and mount, with structural payload', async () => {
    const { user, service } = createStores();
    const view = render(
      <StrictMode>
        <FactoredProvider store={user} adapter={null} capture={{ storage: null }}>
          <GrabCapture />
          <Checkout />
        </FactoredProvider>
      </StrictMode>,
    );
    await act(async () => {
      await captured!.flushEvents();
    });
    const impressions = await eventsOf(service, 'impression');
    expect(impressions.map((e) => e.path).sort()).toEqual([
      'checkout',
      'checkout/review',
      'checkout/review/payment-form',
      'checkout/review/payment-form/submit',
    ]);
    const element = impressions.find((e) => e.path.endsWith('/submit'))!;
    expect(element.payload).toMatchObject({ component_depth: 1, form_field_count: 0 });
    expect(element.payload.sibling_count).toBe(0);
    view.rerender(
      <StrictMode>
        <FactoredProvider store={user} adapter={null} capture={{ storage: null }}>
          <GrabCapture />
          <Checkout />
        </FactoredProvider>
      </StrictMode>,
    );
    await act(async () => {
      await captured!.flushEvents();
    });
    expect(await eventsOf(service, 'impression')).toHaveLength(4);
  });

  it('waits for visibility where IntersectionObserver exists', async () => {
    const observers: { callback: IntersectionObserverCallback; targets: Element[] }[] = [];
    class FakeIntersectionObserver {
      targets: Element[] = [];
      constructor(public callback: IntersectionObserverCallback) {
        observers.push(this);
      }
      observe(target: Element) {
        this.targets.push(target);
      }
      disconnect() {
        this.targets = [];
      }
      unobserve() {}
      takeRecords() {
        return [];
      }
    }
    vi.stubGlobal('IntersectionObserver', FakeIntersectionObserver);
    const { user, service } = createStores();
    render(
      <FactoredProvider store={user} adapter={null} capture={{ storage: null }}>
        <GrabCapture />
        <Component name="banner" as="section">
          <form>
            <input name="email" />
            <input type="hidden" name="token" />
            <select name="size" />
          </form>
          <p>More</p>
        </Component>
      </FactoredProvider>,
    );
    const observer = observers[0]!;
    expect(observer.targets.map((t) => t.tagName)).toEqual(['FORM', 'P']);
    await act(async () => {
      await captured!.flushEvents();
    });
    expect(await eventsOf(service, 'impression')).toHaveLength(0);
    const entry = (isIntersecting: boolean) =>
      ({ isIntersecting, target: observer.targets[0]! }) as IntersectionObserverEntry;
    act(() => observer.callback([entry(false)], observer as unknown as IntersectionObserver));
    act(() => observer.callback([entry(true)], observer as unknown as IntersectionObserver));
    await act(async () => {
      await captured!.flushEvents();
    });
    const impressions = await eventsOf(service, 'impression');
    expect(impressions).toHaveLength(1);
    expect(impressions[0]).toMatchObject({
      path: 'banner',
      payload: { form_field_count: 2, component_depth: 2 },
    });
    expect(observer.targets).toHaveLength(0);
  });

  it('lets components track before capture has started, replaying the calls', async () => {
    const { user, service } = createStores();
    render(
      <FactoredProvider store={user} adapter={null} capture={{ storage: null }}>
        <GrabCapture />
        <TrackOnMount />
      </FactoredProvider>,
    );
    await act(async () => {
      await captured!.flushEvents();
    });
    const navigations = await eventsOf(service, 'navigation');
    expect(navigations).toHaveLength(1);
    expect(navigations[0]).toMatchObject({ path: 'checkout/review', payload: { from: 'cart' } });
  });

  it('starts one capture under StrictMode and flushes when unmounted', async () => {
    const { user, service } = createStores();
    const adapter = countingAdapter();
    const stopped = vi.fn();
    const tree = (
      <StrictMode>
        <FactoredProvider
          store={user}
          adapter={adapter}
          capture={{ storage: null, flushIntervalMs: 60_000 }}
          onCaptureStopped={stopped}
        >
          <GrabCapture />
        </FactoredProvider>
      </StrictMode>
    );
    const view = render(tree);
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    expect(adapter.starts).toBe(1);
    expect(adapter.stops).toBe(0);
    captured!.track('custom', 'checkout/review', { step: 1 });
    captured!.track('custom', 'checkout/review', { step: 2 });
    expect(await eventsOf(service, 'custom')).toHaveLength(0);
    view.unmount();
    await waitFor(() => expect(stopped).toHaveBeenCalledTimes(1));
    expect(stopped.mock.calls[0]![0]).toMatchObject({ ok: true, written: 2 });
    expect(adapter.stops).toBe(1);
    expect((await eventsOf(service, 'custom')).map((e) => e.payload.step)).toEqual([1, 2]);
    expect(await service.listSessions()).toHaveLength(1);
  });

  it('shares one capture between two providers of one store', async () => {
    const { user } = createStores();
    const adapter = countingAdapter();
    const props = { store: user as FactoredStore, adapter, capture: { storage: null } };
    const view = render(
      <>
        <FactoredProvider {...props} />
        <FactoredProvider {...props} />
      </>,
    );
    expect(adapter.starts).toBe(1);
    view.rerender(<FactoredProvider {...props} />);
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    expect(adapter.stops).toBe(0);
    view.unmount();
    await waitFor(() => expect(adapter.stops).toBe(1));
  });

  it('does not capture with capture={false}', async () => {
    const { user } = createStores();
    const adapter = countingAdapter();
    render(
      <FactoredProvider store={user} adapter={adapter} capture={false}>
        <GrabCapture />
      </FactoredProvider>,
    );
    expect(adapter.starts).toBe(0);
    expect(captured!.active).toBe(false);
    expect(captured!.getSessionId()).toBeNull();
  });
});
