/**
 * Durable capture in a real browser: two pages of the demo on one origin write to one shared
 * event sink (the demo's `?sink=` mode) while it is offline; one page's renderer crashes
 * (CDP `Page.crash`: no page-hide, no unload), the other keeps capturing; the sink comes back.
 * Every event of both pages must then be stored exactly once.
 */
import type { CaptureStats } from '@factoredui/core';
import type { BrowserContext, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, startPreview } from './browser.js';
import { type EventSink, startEventSink } from './sink.js';

let server: PreviewServer;
let baseUrl: string;
let context: BrowserContext;
let closeBrowser: () => Promise<void>;
let sink: EventSink;

beforeAll(async () => {
  sink = await startEventSink();
  ({ server, url: baseUrl } = await startPreview());
  const browser = await launchBrowser();
  context = browser.context;
  closeBrowser = browser.close;
});

afterAll(async () => {
  await closeBrowser?.();
  await server?.close();
  await sink?.close();
});

interface TestCapture {
  active: boolean;
  track(type: string, path: string, payload?: Record<string, unknown>): string | null;
  flushEvents(): Promise<unknown>;
  getStats(): CaptureStats | null;
}

async function openShop(): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${baseUrl}?sink=${encodeURIComponent(sink.url)}#/`);
  await page.getByRole('heading', { name: 'Small things, made well' }).waitFor();
  await page.waitForFunction(
    () => (window as { factoredCapture?: TestCapture }).factoredCapture?.active === true,
  );
  return page;
}

/** Records `count` custom events in `page` and returns their ids. */
const track = (page: Page, tab: string, from: number, count: number) =>
  page.evaluate(
    ({ tab, from, count }) => {
      const capture = (window as unknown as { factoredCapture: TestCapture }).factoredCapture;
      const ids: string[] = [];
      for (let i = from; i < from + count; i += 1) {
        const id = capture.track('custom', `e2e/${tab}/durability`, { i });
        if (id) ids.push(id);
      }
      return ids;
    },
    { tab, from, count },
  );

const stats = (page: Page) =>
  page.evaluate(
    () => (window as unknown as { factoredCapture: TestCapture }).factoredCapture.getStats()!,
  );

describe('durable capture in Chromium', () => {
  it('a crashed page’s events are sent by the other page, and every event is stored once', async () => {
    sink.online = false;
    const a = await openShop();
    const b = await openShop();

    // Both pages capture while the store is offline: clicks (automatic capture) and events
    // whose ids the test keeps.
    await a.getByTestId('product-pour-over').click();
    await b.getByTestId('product-pour-over').click();
    const idsA = await track(a, 'a', 0, 150);
    const idsB = await track(b, 'b', 0, 50);
    expect(idsA).toHaveLength(150);
    // Page A's events reach localStorage within 100 ms of being queued; wait until every one
    // of them is in a chunk of its persisted queue (explicit, not a sleep).
    await a.waitForFunction((ids) => {
      const persisted = new Set<string>();
      for (let i = 0; i < localStorage.length; i += 1) {
        const key = localStorage.key(i) ?? '';
        if (!/^factoredui:capture-queue:[^:]+:\d+$/.test(key)) continue;
        for (const event of JSON.parse(localStorage.getItem(key) ?? '[]') as { id: string }[])
          persisted.add(event.id);
      }
      return ids.every((id) => persisted.has(id));
    }, idsA);

    // A renderer crash: no pagehide, no unload handler, no keepalive write.
    const crashed = new Promise<void>((resolve) => a.once('crash', () => resolve()));
    const cdp = await context.newCDPSession(a);
    void cdp.send('Page.crash').catch(() => {});
    await crashed;

    // The other page keeps going, and adopts the crashed page's queue (its Web Lock was
    // released by the crash) at its next check, at most 5 s later.
    idsB.push(...(await track(b, 'b', 50, 50)));
    await b.waitForFunction(
      () =>
        ((window as unknown as { factoredCapture: TestCapture }).factoredCapture.getStats()
          ?.adopted ?? 0) >= 150,
      undefined,
      { timeout: 60_000 },
    );
    expect(sink.events.size).toBe(0);

    // The store comes back.
    sink.online = true;
    idsB.push(...(await track(b, 'b', 100, 10)));
    await b.evaluate(() =>
      (window as unknown as { factoredCapture: TestCapture }).factoredCapture.flushEvents(),
    );
    await b.waitForFunction(
      () =>
        (window as unknown as { factoredCapture: TestCapture }).factoredCapture.getStats()
          ?.queued === 0,
      undefined,
      { timeout: 60_000 },
    );

    const expected = [...idsA, ...idsB];
    const stored = [...sink.events.values()];
    const tracked = stored.filter((e) => e.path.startsWith('e2e/'));
    expect(new Set(tracked.map((e) => e.id))).toEqual(new Set(expected));
    expect(tracked).toHaveLength(expected.length);
    // No tracked event was stored twice under two ids: one row per (page, sequence number).
    expect(new Set(tracked.map((e) => `${e.path}#${String(e.payload.i)}`)).size).toBe(
      expected.length,
    );
    // Automatic capture of both pages arrived too: the click on a product card in each page,
    // the crashed page's included.
    const cardClicks = stored.filter(
      (e) => e.type === 'click' && e.path === 'shop/catalog/grid/product-card',
    );
    expect(cardClicks).toHaveLength(2);
    expect(sink.refused).toBeGreaterThan(0);
    const final = await stats(b);
    expect(final).toMatchObject({ queued: 0, dropped: 0 });
  });
});
