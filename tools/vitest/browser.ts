// Vitest browser mode in Debian's headless Chromium (never a downloaded browser build).
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { CHROMIUM, CHROMIUM_ARGS } from '../chromium.mjs';

export function browserConfig() {
  return defineConfig({
    // Cross-origin isolation, so SharedArrayBuffer (wasm threads) is available to tests.
    server: {
      headers: {
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
      },
    },
    // Pre-bundle tfjs up front: discovering it mid-run makes Vite reload and load tfjs-core twice.
    optimizeDeps: {
      include: [
        '@tensorflow/tfjs-core',
        '@tensorflow/tfjs-layers',
        '@tensorflow/tfjs-backend-cpu',
        '@tensorflow/tfjs-backend-webgl',
        '@tensorflow/tfjs-backend-webgpu',
        '@tensorflow/tfjs-backend-wasm',
        // tfjs-backend-wasm's Emscripten glue (CommonJS), which @resnext/backends starts itself in browsers.
        '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js',
        '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js',
        '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js',
      ],
    },
    test: {
      include: ['src/**/*.browser.test.ts'],
      testTimeout: 120_000,
      browser: {
        enabled: true,
        headless: true,
        screenshotFailures: false,
        provider: playwright({ launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS } }),
        instances: [{ browser: 'chromium' }],
      },
    },
  });
}
