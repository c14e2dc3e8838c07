/**
 * `import '@resnext/backends/webgl'`: lets `useBackend('webgl')` (and `'auto'`) load
 * `@tensorflow/tfjs-backend-webgl` in bundled apps; the bundler puts it in a lazily loaded chunk.
 */
import { registerModuleLoader } from '../module_loaders.js';

registerModuleLoader('@tensorflow/tfjs-backend-webgl', () => import('@tensorflow/tfjs-backend-webgl'));
