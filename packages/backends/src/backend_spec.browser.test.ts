/// <reference types="vite/client" />
// The backend spec suite in Chromium (SwiftShader): webgl, webgpu, and wasm's threaded build (the
// test page is cross-origin isolated), each against the cpu backend.
import '@tensorflow/tfjs-backend-cpu';
// The loaders of the four browser backends, as an app bundling them imports them.
import './entries/browser.js';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { backendSpec } from './testing/backend_spec.js';
import { useBackend } from './use_backend.js';

// tfjs looks for its .wasm binaries next to the bundled script, where Vite has none.
const wasmPaths = {
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
};

backendSpec('webgl', () => useBackend('webgl'));
backendSpec('webgpu', () => useBackend('webgpu'));
backendSpec('wasm (threaded build, cross-origin isolated)', () => useBackend('wasm', { wasmPaths, threads: 2 }));
