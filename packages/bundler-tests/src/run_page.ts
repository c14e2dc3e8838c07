/**
 * Opens a built app in headless Chromium (Debian's, with the repository's flags) and collects
 * what it reports on `window.__result`, with every console error and uncaught page error.
 */
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../../../tools/chromium.mjs';

/** What the page reported and what went wrong on the way. */
export interface PageRun {
  result: { ok: true; steps: Record<string, unknown> } | { ok: false; error: string };
  consoleErrors: string[];
  pageErrors: string[];
}

/** Headless Chromium as every browser run in this repository launches it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** Loads `url` in a fresh context and waits (up to `timeoutMs`) for the app's `window.__result`. */
export async function runPage(browser: Browser, url: string, timeoutMs: number): Promise<PageRun> {
  const context = await browser.newContext();
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];
  try {
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(`${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    await page.goto(url);
    await page.waitForFunction(() => '__result' in window, undefined, { timeout: timeoutMs });
    const result = (await page.evaluate(() => (window as unknown as { __result: unknown }).__result)) as PageRun['result'];
    return { result, consoleErrors, pageErrors };
  } finally {
    await context.close();
  }
}
