// A ModuleImporter with literal imports of tfjs-backend-wasm and its Emscripten glue modules, as
// the @resnext/backends/wasm entry gives a bundler, for browser tests served by Vite.
import { defaultImporter, type ModuleImporter } from '../importer.js';
import { GLUE_MODULES } from '../wasm/browser_wasm.js';

export const browserImporter: ModuleImporter = (specifier) => {
  if (specifier === GLUE_MODULES.plain) return import('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js');
  if (specifier === GLUE_MODULES.threaded) return import('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
  // @ts-expect-error -- the worker source module ships without type declarations
  if (specifier === GLUE_MODULES.threadedWorker) return import('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js');
  if (specifier === '@tensorflow/tfjs-backend-wasm') return import('@tensorflow/tfjs-backend-wasm');
  return defaultImporter(specifier);
};
