/**
 * `import '@resnext/backends/cpu'`: lets `useBackend('cpu')` (and `'auto'`) load
 * `@tensorflow/tfjs-backend-cpu` in bundled apps; the bundler puts it in a lazily loaded chunk.
 */
import { registerModuleLoader } from '../module_loaders.js';

registerModuleLoader('@tensorflow/tfjs-backend-cpu', () => import('@tensorflow/tfjs-backend-cpu'));
