/**
 * A copy-free Identity for tfjs-backend-wasm. tfjs-core's engine clones (the Identity kernel)
 * every tensor a kernel saves for its gradient; wasm's Identity copies the data, the cpu
 * backend's shares it. Training a ResNeXt step on wasm thus copied each activation about once more
 * (≈ 10% of a step of `resnext_fmnist`). Sharing the data is safe: no wasm kernel writes into an
 * existing tensor (Reshape shares data the same way), and the backend frees it with the last
 * reference.
 *
 * Registered together with the fused batch-norm kernels, whose training path is what saves
 * tensors; it belongs with the other wasm kernel registrations in ./register.ts.
 */
import { Identity } from '@tensorflow/tfjs-core';
import { registerSwitchFlag, switchOn, WASM_SHARED_IDENTITY_FLAG } from './flags.js';
import { replaceWasmKernel, restoreWasmKernel } from './kernel_replacement.js';

/**
 * Replaces wasm's Identity with one that returns a new reference to the input's data (strings,
 * which wasm keeps in JS, still go through the original). Idempotent; a no-op before
 * tfjs-backend-wasm registered its kernels and while the RESNEXT_WASM_SHARED_IDENTITY flag is off.
 */
export function shareSavedTensorsWasm(): void {
  if (!switchOn(WASM_SHARED_IDENTITY_FLAG)) return;
  replaceWasmKernel(Identity, (original) => (args) => {
    const { x } = args.inputs;
    const { backend } = args;
    if (x.dtype === 'string' || typeof backend.incRef !== 'function') return original(args);
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  });
}

// Switched back on, the sharing returns with the next use of our training layers.
registerSwitchFlag(WASM_SHARED_IDENTITY_FLAG, (on) => {
  if (!on) restoreWasmKernel(Identity);
});
