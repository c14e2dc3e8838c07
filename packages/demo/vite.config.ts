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
    // tfjs and its backends are one large chunk by nature; the warning would say nothing new.
    chunkSizeWarningLimit: 4096,
  },
});
