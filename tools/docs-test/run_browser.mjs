// Runs `ts browser` blocks in headless Chromium the way an app ships them: one Vite production
// build with a page per block (Vite emits the .wasm files, the shipped weights and workers the
// packages name with `new URL(…, import.meta.url)`), served cross-origin isolated.
/* global window -- the functions handed to waitForFunction and evaluate run in the page */
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { CHROMIUM, CHROMIUM_ARGS } from '../chromium.mjs';
import { ROOT, WORK_DIR, slug } from './snippet_files.mjs';
import { serveStatic } from './static_server.mjs';
import { DEFAULT_TIMEOUT_SECONDS } from './run_node.mjs';

/** The image every page holds, for examples that classify `document.querySelector('img')`. */
const PAGE_IMAGE = path.join(ROOT, 'fixtures/images/chelsea.png');

/**
 * A page that waits for its image, imports the block, and reports on `window.__docsTest`. The
 * block is imported, not inlined, so its top-level await and its errors are the module's own.
 */
function page(block, snippet) {
  return `<!doctype html>
<html>
<head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${block.file}:${block.line}</title></head>
<body>
<img src="/chelsea.png" alt="">
<script type="module">
try {
  await Promise.all(Array.from(document.images, (image) => image.decode()));
  await import(${JSON.stringify(snippet)});
  window.__docsTest = { ok: true };
} catch (error) {
  window.__docsTest = { ok: false, error: error instanceof Error ? (error.stack ?? String(error)) : String(error) };
}
</script>
</body>
</html>
`;
}

/** Builds one page per browser block; returns `[block, page path]` pairs. */
async function buildPages(blocks) {
  const dir = path.join(WORK_DIR, 'browser');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'public'), { recursive: true });
  copyFileSync(PAGE_IMAGE, path.join(dir, 'public', 'chelsea.png'));
  const input = {};
  const pages = blocks.map(([file, block]) => {
    const name = `${slug(block.file)}-L${block.line}`;
    const html = path.join(dir, `${name}.html`);
    writeFileSync(html, page(block, `./${path.relative(dir, file).split(path.sep).join('/')}`));
    input[name] = html;
    return [block, `/${name}.html`];
  });
  await build({
    root: dir,
    configFile: false,
    // Errors only: a build that fails throws; Vite's warnings (plugin timings on a busy machine) are noise here.
    logLevel: 'error',
    publicDir: path.join(dir, 'public'),
    // The worker loads backends with dynamic import(), which needs ES module workers (as browser.md says for Vite apps).
    worker: { format: 'es' },
    build: { outDir: path.join(dir, 'dist'), emptyOutDir: true, minify: false, reportCompressedSize: false, rollupOptions: { input } },
  });
  return { dist: path.join(dir, 'dist'), pages };
}

/** Opens one page and waits for its report; resolves `{ block, ok, problem, seconds, output }`. */
async function runPage(browser, origin, block, url) {
  const context = await browser.newContext();
  const log = [];
  const errors = [];
  const started = performance.now();
  try {
    const tab = await context.newPage();
    tab.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
      // Arguments as JSON where they are plain data (predictions, reports), else as the console shows them.
      const entry = Promise.all(message.args().map((arg) => arg.jsonValue().then((v) => (typeof v === 'string' ? v : JSON.stringify(v)), () => arg.toString())))
        .then((parts) => `[${message.type()}] ${parts.join(' ')}`, () => `[${message.type()}] ${message.text()}`);
      log.push(entry);
    });
    tab.on('pageerror', (error) => errors.push(`uncaught: ${error.stack ?? String(error)}`));
    const timeoutSeconds = block.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    await tab.goto(origin + url);
    let result;
    try {
      await tab.waitForFunction(() => '__docsTest' in window, undefined, { timeout: timeoutSeconds * 1000 });
      result = await tab.evaluate(() => window.__docsTest);
    } catch {
      result = { ok: false, error: `did not finish within ${timeoutSeconds} s` };
    }
    // An error the block caught and only logged still fails it: the docs should not show such code.
    const problem = !result.ok ? result.error : errors.length > 0 ? `the page logged errors: ${errors.join('; ')}` : undefined;
    const output = (await Promise.all(log)).join('\n');
    return { block, ok: problem === undefined, problem, seconds: (performance.now() - started) / 1000, output };
  } finally {
    await context.close();
  }
}

/** Builds and runs every browser block, one page at a time, reporting each through `onResult`. */
export async function runBrowser(written, { onResult = () => {} } = {}) {
  const blocks = [...written].filter(([, block]) => block.mode === 'browser');
  if (blocks.length === 0) return [];
  let built;
  try {
    built = await buildPages(blocks);
  } catch (error) {
    // One build serves every page: when it fails (an import that does not resolve), no block ran.
    const problem = `the Vite build of the pages failed: ${error instanceof Error ? error.message : String(error)}`;
    return blocks.map(([, block]) => {
      const result = { block, ok: false, problem, seconds: 0, output: '' };
      onResult(result);
      return result;
    });
  }
  const { dist, pages } = built;
  const server = await serveStatic(dist);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const results = [];
  try {
    for (const [block, url] of pages) {
      const result = await runPage(browser, server.origin, block, url);
      results.push(result);
      onResult(result);
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return results;
}
