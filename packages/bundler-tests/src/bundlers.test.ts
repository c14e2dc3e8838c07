// Every browser-facing @resnext package, packed as published and installed in a fresh app, builds
// with Vite, esbuild and webpack (production, ES modules, browser platform; no plugins or stubs)
// and runs in headless Chromium: wasm with 2 threads, a BN-folded model saved to IndexedDB and
// reloaded by tfjs-layers, webgl and cpu, and torchvision's logits through load().
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { load } from '@resnext/pretrained';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type Bundler } from './build_apps.js';
import { relativeError } from '@resnext/test-support';
import { shippedFashionMnistWeights, tinyResnext } from './references.js';
import { launchChromium, runPage } from './run_page.js';
import { createScratchApp } from './scratch_app.js';
import { serveStatic } from './static_server.js';

/** What the app reports (app/src/main.js). */
interface Steps {
  wasm: { name: string; threads: number; crossOriginIsolated: boolean };
  layers: string[];
  predictWasm: number[];
  predictReloaded: number[];
  predictWebgl: number[];
  predictCpu: number[];
  tinyLogits: number[];
  fmnistTop: { index: number; label: string; probability: number };
  shippedWeights: { loaded: true } | { loaded: false; name: string; message: string };
}

/** The image the app classifies with the Fashion-MNIST weights: a bright vertical bar. */
const BAR = Int32Array.from({ length: 28 * 28 }, (_, i) => (i % 28 > 9 && i % 28 < 18 ? 220 : 0));
/** Where the shipped Fashion-MNIST weights are when a bundler leaves their URL to the browser. */
const SHIPPED_WEIGHTS = /\/weights\/resnext_fmnist\.full_fmnist\.safetensors/;

const tiny = tinyResnext();
let app: string;
let browser: Browser;
let fmnistReference: { index: number; label: string; probability: number };

beforeAll(async () => {
  [app, browser] = await Promise.all([createScratchApp(), launchChromium()]);
  // The shipped weights classify the app's image in Node too: the app must agree.
  await tf.setBackend('cpu');
  const classifier = await load('resnext_fmnist');
  const image = tf.tensor3d(BAR, [28, 28, 1], 'int32');
  fmnistReference = (await classifier.classify(image, 1))[0]!;
  image.dispose();
  classifier.dispose();
});

afterAll(async () => {
  await browser?.close();
  if (app !== undefined) rmSync(path.dirname(app), { recursive: true, force: true });
});

describe.each<Bundler>(['vite', 'esbuild', 'webpack'])('an app bundled by %s', (bundler) => {
  it('builds without Node built-ins and runs every package in Chromium', async () => {
    const build = await buildApp(app, bundler);
    // Vite replaces a Node built-in with a stub that throws, and says so; webpack and esbuild fail instead.
    expect(build.log).not.toMatch(/externalized for browser compatibility|__vite-browser-external/);
    expect(build.log).not.toMatch(/Critical dependency|Module not found|Could not resolve/);

    const routes = new Map<string, Uint8Array | string>([
      ['/fixture/tiny_resnext.json', JSON.stringify(tiny.json)],
      ['/fixture/tiny_resnext.safetensors', tiny.checkpoint],
      ['/fixture/resnext_fmnist.safetensors', shippedFashionMnistWeights(app)],
    ]);
    const server = await serveStatic(build.outDir, routes);
    let run;
    try {
      run = await runPage(browser, server.origin + build.page, 200_000);
    } finally {
      await server.close();
    }
    if (!run.result.ok) expect.fail(`the ${bundler} app failed: ${run.result.error}`);
    const steps = run.result.steps as unknown as Steps;

    expect(steps.wasm).toEqual({ name: 'wasm', threads: 2, crossOriginIsolated: true });
    // BN folded: no BatchNormalization left, residual block ends fused into ResidualGroupConv2D.
    expect(steps.layers).not.toContain('BatchNormalization');
    expect(steps.layers).toContain('ResidualGroupConv2D');
    expect(steps.predictWasm).toHaveLength(2 * 10);
    expect(relativeError(steps.predictReloaded, steps.predictWasm)).toBeLessThan(1e-6);
    expect(relativeError(steps.predictWebgl, steps.predictWasm)).toBeLessThan(1e-4);
    expect(relativeError(steps.predictCpu, steps.predictWasm)).toBeLessThan(1e-4);
    expect(relativeError(steps.tinyLogits, tiny.logits)).toBeLessThan(1e-4);
    expect(steps.fmnistTop.index).toBe(fmnistReference.index);
    expect(steps.fmnistTop.label).toBe(fmnistReference.label);
    expect(steps.fmnistTop.probability).toBeCloseTo(fmnistReference.probability, 4);

    // The shipped weights without `weights`: Vite and webpack emit them with the app; esbuild does
    // not, and the error says how to serve them and pass their URL.
    const shipped = steps.shippedWeights;
    if (bundler === 'esbuild') {
      expect(shipped).toMatchObject({ loaded: false, name: 'DownloadError' });
      if (!shipped.loaded) {
        expect(shipped.message).toMatch(/weights: <url>/);
        expect(shipped.message).toContain("import url from '@resnext/pretrained/weights/resnext_fmnist.full_fmnist.safetensors?url'");
      }
    } else {
      expect(shipped).toEqual({ loaded: true });
    }
    // A failed request for them is the only error the browser may log (fetch logs a 404).
    const unexpected = run.consoleErrors.filter((e) => shipped.loaded || !(SHIPPED_WEIGHTS.test(e) && /404/.test(e)));
    expect(unexpected).toEqual([]);
    expect(server.notFound.filter((p) => !SHIPPED_WEIGHTS.test(p))).toEqual([]);
    expect(run.pageErrors).toEqual([]);
  });
});
