import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_DIR, launchBrowser, startPreview } from './browser.js';

const SHOTS = join(APP_DIR, 'e2e', 'screenshots');

let server: PreviewServer;
let baseUrl: string;
let page: Page;
let closeBrowser: () => Promise<void>;
const pageErrors: string[] = [];

beforeAll(async () => {
  ({ server, url: baseUrl } = await startPreview());
  const browser = await launchBrowser();
  closeBrowser = browser.close;
  // Waits end when the page is ready, not at a fixed time; this default only catches a hang.
  browser.context.setDefaultTimeout(120_000);
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
});

afterAll(async () => {
  await closeBrowser?.();
  await server?.close();
});

const shot = (name: string) =>
  page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

describe('the demo in Chromium', () => {
  it('opens the shop with the signed, verified promo banner', async () => {
    await page.goto(baseUrl);
    await page.getByRole('heading', { name: 'Small things, made well' }).waitFor();
    const promo = page.getByTestId('promo');
    await promo.locator('text=Winter sale').waitFor();
    expect(await promo.getAttribute('data-source')).toBe('remote');
    expect(await promo.textContent()).toMatch(/Signed spec v\d+ · key demo-/);
    // Styled, not raw HTML: the stylesheet's grid and brand colour are applied.
    const display = await page
      .getByRole('region', { name: 'Products' })
      .evaluate((el) => getComputedStyle(el).display);
    expect(display).toBe('grid');
    await shot('catalog');
  });

  it('clicks through to checkout, where the experiment assigns a variant', async () => {
    await page.getByTestId('product-pour-over').click();
    await page.getByRole('heading', { name: 'Pour-Over Kit' }).waitFor();
    await page.getByTestId('add-to-cart').click();
    await page.getByRole('heading', { name: 'Your cart' }).waitFor();
    await page.getByTestId('to-checkout').click();
    await page.getByRole('heading', { name: 'Checkout', exact: true }).waitFor();
    await page.waitForFunction(() => {
      const text = document.querySelector('[data-testid="variant"]')?.textContent;
      return text === 'control' || text === 'express';
    });
  });

  it('captures a rage click', async () => {
    // Four clicks on one spot inside one task of the page: a burst by any clock, however loaded
    // the machine (clicks sent one by one from here can arrive more than the 1 s rage window
    // apart when the machine is busy).
    await page.getByTestId('apply-code').evaluate((button) => {
      const box = button.getBoundingClientRect();
      const at = { clientX: box.left + box.width / 2, clientY: box.top + box.height / 2 };
      for (let i = 1; i <= 4; i++)
        button.dispatchEvent(
          new MouseEvent('click', { bubbles: true, cancelable: true, detail: i, ...at }),
        );
    });
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="rage-count"]')?.textContent) >= 1,
    );
    await expect(page.locator('.event-rage code').first().textContent()).resolves.toBe(
      'checkout/payment/order-summary/apply-code',
    );
    await shot('checkout');
  });

  it('places the order with either variant', async () => {
    const variant = await page.getByTestId('variant').textContent();
    if (variant === 'control') {
      await page.getByLabel('Name on card').fill('Ada Lovelace');
      await page.getByLabel('Email').fill('ada@example.com');
      await page.getByLabel('Card number').fill('4242 4242 4242 4242');
    }
    await page.getByTestId('submit').click();
    await page.getByTestId('success').waitFor();
  });

  it('simulates traffic and shows factor aggregates, lifts and a governance verdict', async () => {
    await page.getByRole('link', { name: 'Governor', exact: true }).click();
    await page.getByRole('heading', { name: 'Governor', exact: true }).waitFor();
    await page.getByTestId('simulate').click();
    await page.getByTestId('sim-result').waitFor();
    await page.getByTestId('log-row').first().waitFor();
    const verdict = await page
      .getByTestId('log-row')
      .first()
      .locator('.pill')
      .first()
      .textContent();
    expect(['conclude', 'continue', 'flag review']).toContain(verdict);
    await page
      .locator('[data-testid="aggregates"] code', { hasText: 'checkout/payment/place-order' })
      .first()
      .waitFor();
    const lifts = await page.getByTestId('lifts').first().locator('tbody tr').count();
    expect(lifts).toBeGreaterThanOrEqual(3);
    // Bonferroni over the 3 factors and the 2 metrics of the plan: every interval is labelled
    // with its own level, 1 − 0.05/5 = 99%, in the table and in the log's reason rows alike.
    const levels = await page.getByTestId('interval-level').allTextContents();
    expect(levels).toEqual(Array(lifts).fill('99% CI'));
    expect(await page.getByTestId('lifts').first().locator('..').textContent()).toContain(
      'Bonferroni over 5 comparisons (3 factors and 2 of the metric plan)',
    );
    expect(await page.getByTestId('lifts').first().textContent()).not.toContain('95% CI');
    const reasonRows = await page
      .getByTestId('log-row')
      .first()
      .getByTestId('reason-row')
      .allTextContents();
    // The factors, then the metrics of the plan (primary, guardrail with its margin).
    expect(reasonRows).toHaveLength(5);
    // Factor rows carry their released numbers; the log keeps only verdict flags of metrics.
    for (const row of reasonRows.slice(0, 3))
      expect(row).toMatch(/lift [+−]?[\d.]+ .*99% CI .* … .*, p /);
    for (const row of reasonRows.slice(3)) expect(row).not.toMatch(/lift|CI|, p /);
    expect(reasonRows[3]).toMatch(/^checkout-conversion · express · primary/);
    expect(reasonRows[4]).toMatch(/^checkout-errors · express · guardrail.*margin 0\.1/);
    const assigned = await page
      .getByTestId('variants')
      .first()
      .locator('tbody tr td.num')
      .nth(1)
      .textContent();
    expect(Number(assigned)).toBeGreaterThan(10);
    await shot('governor');
  });

  it('reported no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
