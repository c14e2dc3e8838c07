// The backend spec suite in Node: cpu against itself (a sanity check of the suite), wasm on 1
// thread and wasm's threaded build on 2 threads (our kernels then run on a shared memory).
import '@tensorflow/tfjs-backend-cpu';
import { backendSpec } from './testing/backend_spec.js';
import { useBackend } from './use_backend.js';

backendSpec('cpu', () => useBackend('cpu'), 1e-6);
backendSpec('wasm (1 thread)', () => useBackend('wasm', { threads: 1 }));
backendSpec('wasm (2 threads)', () => useBackend('wasm', { threads: 2 }));
