// Vitest browser mode in Debian's headless Chromium (never a downloaded browser build).
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';

/** Where Debian's `chromium` package installs the browser; overridable for other systems. */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

// Flags: SwiftShader gives WebGL 2 (and WebGPU) without a GPU; the network flags stop Chromium
// from calling home on a machine without internet.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--ignore-gpu-blocklist',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

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
