#!/usr/bin/env node
// Regenerates docs/demo.png: the production build of the demo in Debian's headless Chromium, the
// shipped Fashion-MNIST model on wasm, one of the sample images classified. The screenshot is
// 1000 px wide and palette-compressed to stay small in the repository.
//
// Usage (after `npx nx run-many -t build`): npm run screenshot -w @resnext/demo
/* global console, process -- Node globals; the repository's ESLint config gives .mjs files none */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import sharp from 'sharp';
import { build, preview } from 'vite';
import { CHROMIUM, CHROMIUM_ARGS } from '../../../tools/chromium.mjs';

const DEMO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.resolve(DEMO, '../../docs/demo.png');
const SAMPLE = 'fmnist-ankle-boot.png';

const work = await mkdtemp(path.join(os.tmpdir(), 'resnext-demo-shot-'));
const outDir = path.join(work, 'dist');
let server;
let browser;
try {
  await build({ root: DEMO, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  server = await preview({ root: DEMO, logLevel: 'warn', build: { outDir }, preview: { port: 0, host: '127.0.0.1' } });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 }, colorScheme: 'light' });
  page.on('pageerror', (error) => console.error('page error:', error.message));
  await page.goto(server.resolvedUrls.local[0]);
  await page.getByLabel('Backend').selectOption('wasm');
  await page.getByRole('button', { name: 'Load model' }).click();
  await page.locator('#load-status[data-state="ready"]').waitFor({ timeout: 120_000 });
  await page.locator(`button[data-sample="${SAMPLE}"]`).click();
  await page.locator(`#results[data-state="done"][data-image="${SAMPLE}"]`).waitFor({ timeout: 120_000 });
  // The preview must have been painted, not only the results.
  await page.locator('#preview').evaluate((img) => img.decode());
  const shot = await page.screenshot({ fullPage: true });
  const png = await sharp(shot).png({ palette: true, compressionLevel: 9 }).toBuffer();
  await writeFile(OUT, png);
  console.log(`${path.relative(process.cwd(), OUT)}: ${(png.length / 1024).toFixed(0)} KiB`);
} finally {
  await browser?.close();
  await server?.close();
  await rm(work, { recursive: true, force: true });
}
