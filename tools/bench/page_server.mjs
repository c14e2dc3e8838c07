// The page and browser of the browser benchmarks: Vite serves a page whose only script is the
// benchmark's module (its imports resolved from the repository: TypeScript sources or built
// packages), and Debian's headless Chromium opens it with the flags of every browser run here.
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { CHROMIUM, CHROMIUM_ARGS, TFJS_BROWSER_DEPS } from '../chromium.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Serves `/` as a page running `pageModule`, with `headers` on every response (the page's own
 * too: it bypasses Vite's `server.headers`), pre-bundling the `include` dependencies. `files` maps
 * URL paths to files outside the repository (large model files, say), streamed as they are.
 */
export async function startPageServer(pageModule, { headers = {}, include = TFJS_BROWSER_DEPS, files = {} } = {}) {
  const page = `<!doctype html><html><body><script type="module">${pageModule}</script></body></html>`;
  const server = await createServer({
    root: ROOT,
    configFile: false,
    logLevel: 'error',
    // No file watcher, no HMR: a rebuild elsewhere in the checkout must not reload a page mid-run.
    server: { port: 0, host: '127.0.0.1', headers, hmr: false, watch: null },
    optimizeDeps: { include },
    plugins: [
      {
        name: 'bench-page',
        configureServer(srv) {
          srv.middlewares.use(async (req, res, next) => {
            if (Object.hasOwn(files, req.url)) {
              for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
              res.setHeader('Content-Type', 'application/octet-stream');
              return createReadStream(files[req.url]).on('error', next).pipe(res);
            }
            if (req.url !== '/') return next();
            res.setHeader('Content-Type', 'text/html');
            for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
            res.end(await srv.transformIndexHtml('/', page));
          });
        },
      },
    ],
  });
  await server.listen();
  return server;
}

/** Headless Chromium with the repository's flags. */
export function launchChromium() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}
