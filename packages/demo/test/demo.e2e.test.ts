/**
 * End to end: the production build of the demo, served cross-origin isolated by this test's own
 * server, driven through its UI in Debian's headless Chromium. What the page shows is compared
 * with @resnext/pretrained's `load` + `classify` run here in Node on the same images and weights.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { useBackend } from '@resnext/backends';
import { FASHION_MNIST_LABELS, load, type Prediction } from '@resnext/pretrained';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS } from '../../../tools/chromium.mjs';
import { classifyDropped, classifyFile, loadModel, type ShownPrediction } from './demo_page.js';
import { pixelsOf, pngOf, readTestSet } from './fashion_mnist.js';
import { writeResnext50Checkpoint } from './resnext50_checkpoint.js';
import { startStaticServer, type StaticServer } from './static_server.js';

const DEMO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CHELSEA = path.resolve(DEMO, '../../fixtures/images/chelsea.png');
const CHECKPOINT_PATH = '/files/resnext50_32x4d.safetensors';
/** Served as a 404, for the error display. */
const MISSING_PATH = '/files/missing.safetensors';
/** Not a checkpoint at all: a PNG under a checkpoint's name. */
const NOT_A_CHECKPOINT_PATH = '/files/not-a-checkpoint.safetensors';
/** Node (wasm) and the page (wasm or webgl, in a worker) may round differently, no more than this. */
const TOLERANCE = 1e-4;
const FASHION_MNIST_IMAGES = 6;

let work: string;
let server: StaticServer;
let browser: Browser;
let page: Page;
const problems: string[] = [];

/** Same labels in the same order, probabilities within TOLERANCE; returns the largest difference. */
function expectSameTop5(shown: ShownPrediction[], reference: Prediction[]): number {
  expect(shown.map((p) => p.label)).toEqual(reference.map((p) => p.label));
  expect(shown.map((p) => p.index)).toEqual(reference.map((p) => p.index));
  const differences = shown.map((p, i) => Math.abs(p.probability - (reference[i]?.probability ?? NaN)));
  const largest = Math.max(...differences);
  expect(largest).toBeLessThanOrEqual(TOLERANCE);
  return largest;
}

const format = (predictions: readonly { label: string; probability: number }[]) =>
  predictions.map((p) => `${p.label} ${p.probability.toFixed(6)}`).join(', ');

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'resnext-demo-e2e-'));
  const dist = path.join(work, 'dist');
  await build({ root: DEMO, logLevel: 'warn', build: { outDir: dist, emptyOutDir: true } });
  // The reference runs in this process, on the backend the repository's Node tests use.
  await useBackend('wasm');
  server = await startStaticServer(
    dist,
    new Map([
      [CHECKPOINT_PATH, path.join(work, 'resnext50_32x4d.safetensors')],
      [NOT_A_CHECKPOINT_PATH, CHELSEA],
    ]),
  );
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  page.on('console', (message) => {
    // The browser's own report of the 404 the error test asks for is expected; nothing else is.
    if (message.location().url.endsWith(MISSING_PATH)) return;
    if (message.type() === 'error') problems.push(`console.error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('crash', () => problems.push('the page crashed'));
  await page.goto(`${server.url}/`);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe('Fashion-MNIST, weights shipped in @resnext/pretrained', () => {
  it(`classifies ${FASHION_MNIST_IMAGES} test images as load() does in Node, each correctly`, async () => {
    const set = await readTestSet();
    const reference = await load('resnext_fmnist');
    // The first correctly classified test image of each of several classes: correct in Node is
    // the precondition, the page must then agree with Node.
    const chosen: { index: number; png: Buffer; truth: string; top5: Prediction[] }[] = [];
    try {
      for (let index = 0; chosen.length < FASHION_MNIST_IMAGES && index < set.count; index++) {
        const truth = FASHION_MNIST_LABELS[set.labels[index] ?? -1] ?? '?';
        if (chosen.some((c) => c.truth === truth)) continue;
        const png = await pngOf(set, index);
        const top5 = await reference.classify(new Uint8Array(png), 5);
        if (top5[0]?.label === truth) chosen.push({ index, png, truth, top5 });
      }
    } finally {
      reference.dispose();
    }
    expect(chosen).toHaveLength(FASHION_MNIST_IMAGES);

    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const threads = Math.min(cores, 2);
    const shownModel = await loadModel(page, { model: 'fmnist', backend: 'wasm', threads });
    expect(shownModel.backend).toBe('wasm');
    expect(shownModel.backendText).toContain(`${threads} thread`);
    expect(shownModel.status).toContain('resnext_fmnist.full_fmnist');
    console.log(`Fashion-MNIST on the page: ${shownModel.backendText}; ${shownModel.status}`);

    for (const [n, { index, png, truth, top5 }] of chosen.entries()) {
      // The last image arrives by drag and drop, the others through the file input.
      const give = n === chosen.length - 1 ? classifyDropped : classifyFile;
      const shown = await give(page, `fmnist-test-${index}.png`, png);
      expect(shown[0]?.label).toBe(truth);
      const largest = expectSameTop5(shown, top5);
      console.log(`#${index} ${truth}: page ${format(shown)} | Node ${format(top5)} | max |Δp| ${largest.toExponential(2)}`);
    }
  });


  it('ships sample images that are the Fashion-MNIST test images public/samples/README.md names', async () => {
    const set = await readTestSet();
    for (const [index, file] of [[0, 'fmnist-ankle-boot.png'], [2, 'fmnist-trouser.png'], [18, 'fmnist-bag.png']] as const) {
      const png = sharp(path.join(DEMO, 'public/samples', file));
      const { width, height, channels } = await png.metadata();
      expect([width, height, channels], file).toEqual([28, 28, 1]);
      const data = await png.toColourspace('b-w').raw().toBuffer();
      expect(Buffer.compare(data, Buffer.from(pixelsOf(set, index))), file).toBe(0);
    }
  });
});

describe('ResNeXt-50 32x4d from a checkpoint URL, on chelsea.png', () => {
  let chelsea: Buffer;
  let reference: Prediction[];

  beforeAll(async () => {
    chelsea = await readFile(CHELSEA);
    const file = path.join(work, 'resnext50_32x4d.safetensors');
    await writeResnext50Checkpoint(file, new Uint8Array(chelsea));
    const classifier = await load({ model: 'resnext50_32x4d', weights: file });
    try {
      const top6 = await classifier.classify(new Uint8Array(chelsea), 6);
      // The ranks are the test's subject: neighbours must be clearly apart (log-probability
      // differences are logit differences), else an equally right page could order them otherwise.
      const gaps = top6.slice(1).map((p, i) => Math.log(top6[i]!.probability / p.probability));
      expect(Math.min(...gaps)).toBeGreaterThan(0.02);
      reference = top6.slice(0, 5);
    } finally {
      classifier.dispose();
    }
    console.log(`ResNeXt-50 in Node (wasm): ${format(reference)}`);
  });

  it.each(['wasm', 'webgl'] as const)('shows the top 5 load() gives in Node, on %s', async (backend) => {
    const shownModel = await loadModel(page, { model: 'resnext50', backend, weightsUrl: `${server.url}${CHECKPOINT_PATH}` });
    expect(shownModel.backend).toBe(backend);
    expect(shownModel.status).toContain('resnext50_32x4d');
    const shown = await classifyFile(page, `chelsea-${backend}.png`, chelsea);
    const largest = expectSameTop5(shown, reference);
    const latency = await page.locator('#latency').getAttribute('data-ms');
    console.log(`ResNeXt-50 on the page (${shownModel.backendText}): ${format(shown)} | max |Δp| ${largest.toExponential(2)} | ${Number(latency).toFixed(0)} ms`);
  });
});

describe('errors', () => {
  it.each([
    [MISSING_PATH, /DownloadError: .*404/],
    // Bytes from a URL without a digest must at least be a complete checkpoint file before they are used or cached.
    [NOT_A_CHECKPOINT_PATH, /IntegrityError: .*not a complete safetensors file or zip archive.*nothing was cached/],
  ])('shows the typed error of a failed load (%s) in the alert region', async (file, expected) => {
    const error = await loadModel(page, { model: 'resnext50', backend: 'wasm', weightsUrl: `${server.url}${file}` }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.isVisible()).toBe(true);
    const text = (await alert.textContent()) ?? '';
    expect(text).toMatch(expected);
    expect(text).toContain(file);
    console.log(`${file}: the page shows ${JSON.stringify(text)}`);
  });
});

it('logs no console errors and no page errors', () => {
  expect(problems).toEqual([]);
});
