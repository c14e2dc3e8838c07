/**
 * `import '@resnext/backends/webgpu'`: lets `useBackend('webgpu')` (and `'auto'`) load
 * `@tensorflow/tfjs-backend-webgpu` in bundled apps; the bundler puts it in a lazily loaded chunk.
 */
import { registerModuleLoader } from '../module_loaders.js';

registerModuleLoader('@tensorflow/tfjs-backend-webgpu', () => import('@tensorflow/tfjs-backend-webgpu'));
