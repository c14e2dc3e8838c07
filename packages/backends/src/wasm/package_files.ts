import type { NodeBuiltins } from './node_builtins.js';

/** Which of tfjs-backend-wasm's Emscripten builds to load. */
export type WasmBuild = 'simd' | 'threaded-simd';

/** Absolute paths of one build's files inside the installed @tensorflow/tfjs-backend-wasm. */
export interface WasmBuildFiles {
  /** The Emscripten JS glue (CommonJS; exports the module factory). */
  glue: string;
  /** The WebAssembly binary. */
  binary: string;
  /** CommonJS module exporting `wasmWorkerContents`, the pthread worker's source (threaded build only). */
  workerSource: string;
}

/**
 * Locates a build's files in the tfjs-backend-wasm package that this package resolves, which is
 * the copy `import('@tensorflow/tfjs-backend-wasm')` returns, so the `BackendWasm` class and the
 * module agree. The single-threaded build pairs the plain glue with the SIMD binary, as tfjs does.
 */
export function wasmBuildFiles(node: NodeBuiltins, build: WasmBuild): WasmBuildFiles {
  const packageJson = node.createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json');
  const outDir = node.join(node.dirname(packageJson), 'wasm-out');
  const glueName = build === 'simd' ? 'tfjs-backend-wasm' : 'tfjs-backend-wasm-threaded-simd';
  return {
    glue: node.join(outDir, `${glueName}.js`),
    binary: node.join(outDir, `tfjs-backend-wasm-${build}.wasm`),
    workerSource: node.join(outDir, `${glueName}.worker.js`),
  };
}
