/**
 * The tfjs flags that switch our changes to tfjs-backend-wasm's own kernels, which affect every
 * model in the app, not only ours (tfjs gates behaviour of its own the same way: `WEBGL_PACK`, …).
 * Set them with `tf.env().set(name, false)`, or in a browser with `?tfjsflags=NAME:false` in the
 * page's URL; switching one off restores tfjs' own kernel at once.
 */
import { env } from '@tensorflow/tfjs-core';

/**
 * Route tfjs' `Conv2D` / `FusedConv2D` 1×1 convolutions to our kernel where it is the faster one
 * (the native kernels, or the FMA build with ≥ 128 input channels; see pointwise_routing.ts). Default true. Off: XNNPACK runs
 * every 1×1 convolution, as in plain tfjs.
 */
export const WASM_POINTWISE_FLAG = 'RESNEXT_WASM_POINTWISE';

/**
 * Run 1×1 convolutions on the wasm backend with the package's native kernels (an AVX2 + FMA
 * Node-API addon for Node on Linux x64, see native_addon.ts) where the addon loads. Default true.
 * Off: the wasm kernels (or XNNPACK) run them.
 */
export const NATIVE_KERNELS_FLAG = 'RESNEXT_NATIVE_KERNELS';

/**
 * Register our `Conv2DBackpropFilter` for wasm, which tfjs-backend-wasm lacks (without it,
 * training a `tf.conv2d` on wasm fails: the kernel is not registered). Default true.
 */
export const WASM_BACKPROP_FILTER_FLAG = 'RESNEXT_WASM_BACKPROP_FILTER';

/**
 * Make wasm's `Identity` (the engine's clone of each tensor saved for a gradient) share data
 * instead of copying it, as the cpu backend's does. Default true; switched on by our training
 * layers. Off: tfjs' copying Identity.
 */
export const WASM_SHARED_IDENTITY_FLAG = 'RESNEXT_WASM_SHARED_IDENTITY';

/**
 * Registers boolean flag `name` (default true) whose changes call `apply(on)`. The hooks live on
 * the global object, so two copies of this package in one app (each registering the flag) both
 * follow it.
 */
export function registerSwitchFlag(name: string, apply: (on: boolean) => void): void {
  const all = ((globalThis as { [HOOKS]?: Record<string, ((on: boolean) => void)[]> })[HOOKS] ??= {});
  const hooks = (all[name] ??= []);
  hooks.push(apply);
  env().registerFlag(name, () => true, (value) => {
    for (const hook of hooks) hook(value === true);
  });
}

const HOOKS = Symbol.for('resnext.wasmSwitchFlagHooks');

/** Whether switch flag `name` is on. */
export function switchOn(name: string): boolean {
  return env().getBool(name);
}
