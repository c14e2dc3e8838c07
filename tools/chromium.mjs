// Debian's headless Chromium as every browser run here launches it: Vitest browser mode
// (tools/vitest/browser.ts) and the browser benchmarks (tools/bench/page_server.mjs users).
/* global process -- Node global; the repo's ESLint config targets packages/ */

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
