import type { WasmBuildFiles } from './package_files.js';

/**
 * The pthread worker for Node's `worker_threads`, as a `data:` URL (an ES module).
 *
 * Why: tfjs hands Emscripten a `blob:` URL, which `worker_threads` cannot start (ERR_WORKER_PATH,
 * tfjs issue #3830). The worker source tfjs ships already supports Node (it wires `parentPort`,
 * `importScripts` and `require`), but it is exported as a string and written as a CommonJS script.
 * This bootstrap runs that string with a `require` and `__filename` of its own, so nothing is
 * written to disk and the same code works from `src` (tests) and `dist`.
 */
export function pthreadWorkerUrl(files: WasmBuildFiles): URL {
  const source = [
    "import { createRequire } from 'node:module';",
    `const glue = ${JSON.stringify(files.glue)};`,
    'const require = createRequire(glue);',
    `const { wasmWorkerContents } = require(${JSON.stringify(files.workerSource)});`,
    // The string was written for a Blob: tfjs escapes its "\n" the same way before use.
    'const body = wasmWorkerContents.replace(/\\n/g, "\\\\n");',
    "new Function('require', '__filename', body)(require, glue);",
  ].join('\n');
  return new URL(`data:text/javascript,${encodeURIComponent(source)}`);
}
