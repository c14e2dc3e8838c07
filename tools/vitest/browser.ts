// Vitest browser mode in Debian's headless Chromium (never a downloaded browser build).
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { CHROMIUM, CHROMIUM_ARGS, TFJS_BROWSER_DEPS } from '../chromium.mjs';

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
      include: TFJS_BROWSER_DEPS,
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
