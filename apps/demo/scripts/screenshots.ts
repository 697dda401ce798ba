/**
 * Regenerates the screenshots of every screen under apps/demo/docs/ (desktop 1280 px and
 * phone 360 px), from the production build in headless Chromium:
 *
 *   pnpm --filter demo build && npx tsx apps/demo/scripts/screenshots.ts
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { APP_DIR, launchBrowser, startPreview } from '../e2e/browser.js';

const OUT = join(APP_DIR, 'docs');

const { server, url } = await startPreview();
try {
  for (const [label, width] of [
    ['desktop', 1280],
    ['360', 360],
  ] as const) {
    // A fresh profile per width: the governor's simulation concludes the experiment.
    const browser = await launchBrowser();
    browser.context.setDefaultTimeout(300_000);
    const page = await browser.context.newPage();
    await page.setViewportSize({ width, height: width === 360 ? 780 : 900 });
    const shot = (screen: string) =>
      page.screenshot({ path: join(OUT, `${screen}-${label}.png`), fullPage: true });
    await controlArm(page, url);
    await page.goto(`${url}#/`);
    await page.getByTestId('promo').locator('text=Winter sale').waitFor();
    await shot('shop');
    await page.getByTestId('product-pour-over').click();
    await page.getByRole('heading', { name: 'Pour-Over Kit' }).waitFor();
    await shot('product');
    await page.getByTestId('add-to-cart').click();
    await page.getByRole('heading', { name: 'Your cart' }).waitFor();
    await shot('cart');
    await page.getByTestId('to-checkout').click();
    await page.getByTestId('submit').click();
    await page.locator('[aria-invalid="true"]').first().waitFor();
    await shot('checkout-errors');
    await page.goto(`${url}#/governor`);
    await page.getByTestId('simulate').click();
    await page.getByTestId('sim-result').waitFor();
    await page.getByTestId('log-row').first().waitFor();
    await page.getByTestId('aggregates').waitFor();
    await page.getByTestId('power').waitFor();
    await page.getByTestId('bayesian-row').first().waitFor();
    await shot('governor');
    await browser.close();
    console.info(`screenshots at ${width} px written to ${OUT}`);
  }
} finally {
  await server.close();
}

/** Draws visitor ids until the checkout shows the `control` form (the screen with fields). */
async function controlArm(page: Page, base: string): Promise<void> {
  await page.goto(`${base}#/checkout/pour-over`);
  for (;;) {
    await page.waitForFunction(() =>
      ['control', 'express'].includes(
        document.querySelector('[data-testid="variant"]')?.textContent ?? '',
      ),
    );
    if ((await page.getByTestId('variant').textContent()) === 'control') return;
    await page.evaluate(() => {
      localStorage.setItem('factoredui:anonymous-id', crypto.randomUUID());
      localStorage.removeItem('demo:cart');
    });
    await page.reload();
  }
}
