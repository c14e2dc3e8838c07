// The backend spec suite in Node: wasm on 1 thread and wasm's threaded build on 2 threads (our
// kernels then run on a shared memory, split between our worker threads), each against tfjs' cpu
// backend, and the two bit for bit against each other; then the same with relaxed SIMD (our
// kernels' FMA build, which also takes over the 1x1 convolutions). Relaxed SIMD is a process-wide
// V8 flag, so those suites come last. The cpu backend itself is the reference here; our cpu
// kernels are checked against float64 naive loops (@resnext/layers) and a training step on cpu
// against PyTorch (@resnext/recipes' golden step test).
import '@tensorflow/tfjs-backend-cpu';
import { backendSpec, identicalResultsSpec } from './testing/backend_spec.js';
import { useBackend } from './use_backend.js';

backendSpec('wasm (1 thread)', () => useBackend('wasm', { threads: 1 }));
backendSpec('wasm (2 threads)', () => useBackend('wasm', { threads: 2 }));
identicalResultsSpec('wasm on 1 and 2 threads', () => useBackend('wasm', { threads: 1 }), () => useBackend('wasm', { threads: 2 }));
backendSpec('wasm (2 threads, relaxed SIMD)', () => useBackend('wasm', { threads: 2, relaxedSimd: true }));
identicalResultsSpec(
  'wasm with relaxed SIMD on 1 and 2 threads',
  () => useBackend('wasm', { threads: 1, relaxedSimd: true }),
  () => useBackend('wasm', { threads: 2, relaxedSimd: true }),
);
