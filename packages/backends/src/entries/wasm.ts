/**
 * `import '@resnext/backends/wasm'`: lets `useBackend('wasm')` (and `'auto'`) load
 * `@tensorflow/tfjs-backend-wasm` in bundled apps, together with the package's Emscripten glue
 * modules, which our browser loader needs to run exactly the requested threads. The bundler puts
 * them in lazily loaded chunks; the glue is loaded only for the build (threaded or not) in use.
 */
import { registerModuleLoader } from '../module_loaders.js';
import { GLUE_MODULES } from '../wasm/browser_wasm.js';

registerModuleLoader('@tensorflow/tfjs-backend-wasm', () => import('@tensorflow/tfjs-backend-wasm'));
registerModuleLoader(GLUE_MODULES.plain, () => import('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js'));
registerModuleLoader(GLUE_MODULES.threaded, () => import('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js'));
registerModuleLoader(
  GLUE_MODULES.threadedWorker,
  // @ts-expect-error -- the worker source module ships without type declarations
  () => import('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js'),
);
