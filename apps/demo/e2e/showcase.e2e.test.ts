/**
 * The demo as a user meets it, at desktop width and at 360 px: every screen passes an axe-core
 * audit with no serious or critical violation and has no horizontal overflow; the cart, the
 * invalid-checkout focus and announcement, the skip link, the reset confirmation and the
 * stable signing key work.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { BrowserContext, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, startPreview } from './browser.js';

let server: PreviewServer;
let baseUrl: string;
let context: BrowserContext;
let closeBrowser: () => Promise<void>;
/** The profiles opened for each width, closed at the end. */
const profiles: (() => Promise<void>)[] = [];
let axeSource: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  ({ server, url: baseUrl } = await startPreview());
  const browser = await launchBrowser();
  context = browser.context;
  closeBrowser = browser.close;
  context.setDefaultTimeout(300_000);
});

afterAll(async () => {
  for (const close of profiles) await close();
  await closeBrowser?.();
  await server?.close();
});

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** Runs axe-core (its source injected into the page) and returns the serious and critical violations. */
async function audit(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => 'axe' in window)))
    await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    type Result = {
      violations: {
        id: string;
        impact: string | null;
        help: string;
        nodes: { target: string[] }[];
      }[];
    };
    const axe = (window as unknown as { axe: { run(context: Document): Promise<Result> } }).axe;
    const result = await axe.run(document);
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        targets: v.nodes.map((n) => n.target.join(' ')),
      }));
  });
}

/** Horizontal overflow of the document, in CSS pixels (0 when none). */
const overflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** Opens a fresh page whose visitor is in the experiment's `control` arm (the form with fields). */
async function controlVisitor(width: number): Promise<Page> {
  // A fresh profile: another width's simulation may have concluded the experiment already.
  const browser = await launchBrowser();
  profiles.push(browser.close);
  browser.context.setDefaultTimeout(300_000);
  const page = await browser.context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  await page.setViewportSize({ width, height: 800 });
  await page.goto(`${baseUrl}#/checkout/pour-over`);
  // Assignment is a hash of the visitor id: draw ids until one lands in control (each try 1/2).
  for (;;) {
    await page.waitForFunction(() => {
      const text = document.querySelector('[data-testid="variant"]')?.textContent;
      return text === 'control' || text === 'express';
    });
    if ((await page.getByTestId('variant').textContent()) === 'control') return page;
    await page.evaluate(() => localStorage.setItem('factoredui:anonymous-id', crypto.randomUUID()));
    await page.reload();
  }
}

/**
 * The governor's metric panels after a simulation, with numbers: the metric rows (primary,
 * guardrail with its verdict, the monitored order value), the power panel and the Bayesian
 * readout, labelled as a readout and not a stopping rule.
 */
async function expectMetricPanels(page: Page): Promise<void> {
  // Rows appear once the simulation's factor refresh and sweep have been read.
  await page.waitForFunction(
    () => document.querySelectorAll('[data-testid="metric-row"]').length === 3,
  );
  const rows = await page.getByTestId('metric-row').allTextContents();
  expect(rows[0]).toMatch(/^checkout-conversion.*primary · minimum effect \+0\.05/);
  expect(rows[1]).toMatch(/^checkout-errors.*guardrail · margin 0\.1/);
  expect(rows[2]).toMatch(/^order-value.*monitored, not in the verdict/);
  for (const row of rows) expect(row).toMatch(/\d+ \/ \d+/);
  const intervals = await page.getByTestId('metric-interval').allTextContents();
  for (const text of intervals) expect(text).toMatch(/ … .*\d+(\.\d+)?% CI/);
  expect(await page.getByTestId('guardrail-verdict').textContent()).toMatch(
    /^(holds|undecided|breached)$/,
  );
  const power = await page.getByTestId('power-value').allTextContents();
  expect(power).toHaveLength(6);
  for (const value of power.slice(0, 5)) expect(value).toMatch(/\d/);
  const bayes = await page.getByTestId('bayesian-row').allTextContents();
  expect(bayes).toHaveLength(3);
  for (const row of bayes) expect(row).toMatch(/\d+\.\d%/);
  expect(await page.getByTestId('bayesian').locator('..').textContent()).toContain(
    'A readout, not a stopping rule',
  );
}

const check = async (page: Page, screen: string, width: number) => {
  expect({ screen, width, violations: await audit(page) }).toEqual({
    screen,
    width,
    violations: [],
  });
  expect({ screen, width, overflow: await overflow(page) }).toEqual({ screen, width, overflow: 0 });
};

for (const width of [1280, 360]) {
  describe(`every screen at ${width} px`, () => {
    it('shop, product, cart, checkout with errors (focus, announcement) and governor: no serious or critical axe violation, no horizontal overflow', async () => {
      const page = await controlVisitor(width);
      await page.goto(`${baseUrl}#/`);
      await page.getByTestId('promo').locator('text=Winter sale').waitFor();
      await check(page, 'shop', width);

      await page.getByTestId('product-pour-over').click();
      await page.getByRole('heading', { name: 'Pour-Over Kit' }).waitFor();
      await check(page, 'product', width);

      await page.getByTestId('add-to-cart').click();
      await page.getByRole('heading', { name: 'Your cart' }).waitFor();
      expect(await page.getByTestId('cart-line').count()).toBe(1);
      await check(page, 'cart', width);

      await page.getByTestId('to-checkout').click();
      await page.getByRole('heading', { name: 'Checkout', exact: true }).waitFor();
      expect(await page.locator('.summary-line').first().textContent()).toContain('Pour-Over Kit');
      await page.getByLabel('Email').fill('ada@example.com');
      await page.getByTestId('submit').click();
      await page.locator('[aria-invalid="true"]').first().waitFor();
      // Focus moves to the first invalid field and a polite live region says what is wrong.
      await page.waitForFunction(() => document.activeElement?.id === 'f-name');
      await expect(page.getByTestId('announcer').textContent()).resolves.toBe(
        '2 fields need attention: Enter the name on the card. Card numbers have 16 digits.',
      );
      expect(await page.getByTestId('announcer').getAttribute('aria-live')).toBe('polite');
      await check(page, 'checkout with errors', width);

      await page.goto(`${baseUrl}#/governor`);
      await page.getByTestId('simulate').click();
      await page.getByTestId('sim-result').waitFor();
      await page.getByTestId('log-row').first().waitFor();
      await expectMetricPanels(page);
      await check(page, 'governor', width);
    });
  });
}

describe('the shop for a returning visitor', () => {
  it('keeps one signing key per browser: reloads verify the same spec version', async () => {
    const page = await context.newPage();
    await page.goto(`${baseUrl}#/`);
    const meta = page.getByTestId('promo').locator('.sdui-meta');
    await meta.filter({ hasText: 'Signed spec' }).waitFor();
    const first = await meta.textContent();
    for (let i = 0; i < 3; i++) {
      await page.reload();
      await meta.filter({ hasText: 'Signed spec' }).waitFor();
      expect(await meta.textContent()).toBe(first);
    }
    await page.close();
  });

  it('offers a skip link as the first stop of the keyboard, which focuses the content', async () => {
    const page = await context.newPage();
    await page.goto(`${baseUrl}#/`);
    await page.getByRole('heading', { name: 'Small things, made well' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('content');
    expect(await page.evaluate(() => location.hash)).toBe('#/');
    await page.close();
  });

  it('asks before "Reset demo data" erases anything', async () => {
    const page = await context.newPage();
    await page.goto(`${baseUrl}#/governor`);
    await page.getByLabel('Visitors').fill('50');
    await page.getByTestId('simulate').click();
    await page.getByTestId('sim-result').waitFor();
    await page.getByTestId('log-row').first().waitFor();
    const messages: string[] = [];
    page.once('dialog', (dialog) => {
      messages.push(dialog.message());
      void dialog.dismiss();
    });
    await page.getByRole('button', { name: 'Reset demo data' }).click();
    expect(messages[0]).toMatch(/^Erase all demo data/);
    expect(await page.getByTestId('log-row').count()).toBeGreaterThan(0);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Reset demo data' }).click();
    await page.getByText('No verdicts yet').waitFor();
    await page.close();
  });

  it('reported no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
