import { CROSS_ORIGIN_ISOLATION_HEADERS } from '@resnext/backends';
import { defineConfig } from 'vite';

// COOP/COEP make the page cross-origin isolated: SharedArrayBuffer, and with it wasm threads.
const headers = { ...CROSS_ORIGIN_ISOLATION_HEADERS };

export default defineConfig({
  // Relative URLs: dist/ can be served from any path.
  base: './',
  server: { headers },
  preview: { headers },
  // The classifier's worker loads backends with dynamic import(), which needs a module worker.
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    // Not Vite's default minifier (Oxc): it rewrites the `typeof _scriptDir !== "undefined"` test in
    // tfjs-backend-wasm's threaded glue into `e !== void 0`. The glue's factory is sent to wasm's
    // pthread workers as source text (Function.prototype.toString), where the closure variable
    // does not exist, so every pthread worker would throw a ReferenceError and loading would hang.
    // esbuild keeps the typeof test.
    minify: 'esbuild',
    // tfjs and its backends are one large chunk by nature; the warning would say nothing new.
    chunkSizeWarningLimit: 4096,
  },
});
