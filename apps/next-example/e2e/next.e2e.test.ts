import type { Assignment } from '@factoredui/core';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchBrowser, startApp } from './server.js';

interface Inspection {
  assignments: Assignment[];
  events: { type: string; path: string }[];
}

let app: Awaited<ReturnType<typeof startApp>>;
let browser: Browser;

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

async function inspect(userId: string): Promise<Inspection> {
  const response = await fetch(`${app.url}/api/inspect?userId=${encodeURIComponent(userId)}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Inspection;
}

const HEADLINE = /<h1 data-testid="headline" data-variant="([^"]+)">([^<]*)<\/h1>/;

/** Opens the page as a new visitor and returns what the server sent and what happened next. */
async function visit(context: BrowserContext) {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // Any error or warning counts: React reports hydration mismatches through them.
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  // Every text the headline ever shows, recorded from the first paint.
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __headlines: string[] }).__headlines = seen;
    const record = () => {
      // While the HTML streams in, the parser inserts the <h1> before its text: skip that.
      const text = document.querySelector('[data-testid="headline"]')?.textContent ?? '';
      if (text !== '' && seen[seen.length - 1] !== text) seen.push(text);
    };
    new MutationObserver(record).observe(document, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
    });
    document.addEventListener('DOMContentLoaded', record);
  });
  const response = await page.goto(app.url);
  expect(response?.status()).toBe(200);
  const serverHtml = (await response?.text()) ?? '';
  const match = HEADLINE.exec(serverHtml);
  expect(match, 'the server HTML carries the headline').not.toBeNull();
  const [, serverVariant = '', serverHeadline = ''] = match ?? [];
  const cookie = (await context.cookies()).find((c) => c.name === 'fui_uid');
  expect(cookie?.value).toBeTruthy();
  return { page, problems, serverVariant, serverHeadline, userId: cookie?.value ?? '' };
}

describe('the Next.js example in Chromium', () => {
  it('a server render writes nothing: a plain request leaves no assignment', async () => {
    const response = await fetch(app.url);
    expect(response.status).toBe(200);
    const userId = /fui_uid=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1] ?? '';
    expect(userId).not.toBe('');
    expect(HEADLINE.exec(await response.text())?.[1]).toMatch(/^(control|bold)$/);
    expect((await inspect(userId)).assignments).toEqual([]);
  });

  it('sends the visitor’s variant in the first HTML, keeps it through hydration, then records one assignment and captures', async () => {
    for (let i = 0; i < 4; i++) {
      const context = await browser.newContext();
      try {
        const { page, problems, serverVariant, serverHeadline, userId } = await visit(context);
        expect(serverVariant).toMatch(/^(control|bold)$/);

        // Hydrated: the button's handler runs (it is inert in the server HTML).
        await page.getByTestId('explore').click();
        await page.getByText('Explored 1×').waitFor();

        // After hydration the browser's flag client records the assignment: exactly one row,
        // of the variant the server rendered.
        const rows = await vi.waitFor(
          async () => {
            const { assignments } = await inspect(userId);
            expect(assignments.length).toBeGreaterThan(0);
            return assignments;
          },
          { timeout: 30_000, interval: 200 },
        );
        expect(rows).toHaveLength(1);
        expect(rows[0]?.variantKey).toBe(serverVariant);

        // Capture works after hydration: the click arrives with its component path.
        await vi.waitFor(
          async () =>
            expect((await inspect(userId)).events).toContainEqual({
              type: 'click',
              path: 'home/landing/hero/explore',
            }),
          { timeout: 30_000, interval: 200 },
        );

        // The headline never changed: the server's text is the only one it ever showed.
        const headlines = await page.evaluate(
          () => (window as unknown as { __headlines: string[] }).__headlines,
        );
        expect(headlines).toEqual([serverHeadline]);
        expect(await page.getByTestId('headline').getAttribute('data-variant')).toBe(serverVariant);
        expect(await page.getByTestId('promo').textContent()).toContain('Spring sale');
        expect(problems).toEqual([]);

        // A second visit renders the recorded variant and writes nothing more.
        const again = await page.goto(app.url);
        expect(HEADLINE.exec((await again?.text()) ?? '')?.[1]).toBe(serverVariant);
        await page.getByText('Explore the shop').waitFor();
        expect((await inspect(userId)).assignments).toHaveLength(1);
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    }
  });
});
