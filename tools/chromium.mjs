// Debian's headless Chromium as every browser run here launches it: Vitest browser mode
// (tools/vitest/browser.ts) and the browser benchmarks (tools/bench/page_server.mjs users).

/** Where Debian's `chromium` package installs the browser; overridable for other systems. */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/**
 * SwiftShader gives WebGL 2 (and WebGPU) without a GPU; the network flags stop Chromium from
 * calling home on a machine without internet.
 */
export const CHROMIUM_ARGS = [
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

/**
 * tfjs for Vite to pre-bundle up front in every browser run (Vitest browser mode, the benchmark
 * pages): a dependency found only mid-run makes Vite reload the page and load tfjs-core twice.
 */
export const TFJS_BROWSER_DEPS = [
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
];
