import * as tf from '@tensorflow/tfjs-core';
import { importBackendPackage } from '../importer.js';
import { setBackendOrThrow, unsupported } from './set_backend.js';
import type { Adapter } from './types.js';

/** WebGPU in browsers that expose `navigator.gpu`. */
export const activateWebgpu: Adapter = async ({ importer }) => {
  await importBackendPackage('@tensorflow/tfjs-backend-webgpu', 'webgpu', importer);
  // tfjs-backend-webgpu registers itself only where `navigator.gpu` exists.
  if (tf.findBackendFactory('webgpu') === null) {
    unsupported('webgpu', 'WebGPU (navigator.gpu)', 'The webgpu backend needs WebGPU (navigator.gpu), which this runtime lacks.');
  }
  await setBackendOrThrow('webgpu', 'webgpu', 'navigator.gpu exists but no adapter or device was granted.');
  return undefined;
};
