import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError } from '../errors.js';
import { isNode } from '../environment.js';
import { importBackendPackage } from '../importer.js';
import { restoreBackend, setBackendOrThrow, unsupported } from './set_backend.js';
import type { Adapter } from './types.js';

/** The npm packages that provide TensorFlow's native backend (`tensorflow`) to tfjs. */
const TFJS_NODE = '@tensorflow/tfjs-node';
const TFJS_NODE_GPU = '@tensorflow/tfjs-node-gpu';

const INSTALL_HINT = ' (its install script downloads libtensorflow, so it needs network access)';

/** Public fields of tfjs-node's `NodeJSKernelBackend` (both packages share the class). */
interface NodeJSKernelBackendShape {
  isGPUPackage?: unknown;
  isUsingGpuDevice?: unknown;
}

/**
 * Native TensorFlow through tfjs-node. Importing `@tensorflow/tfjs-node` (or `-gpu`) registers a
 * backend named `tensorflow` in the process's tfjs-core; both packages use that name, so only one
 * of them can be loaded in a process. `node` accepts whichever is loaded (loading tfjs-node if
 * none is); `node-gpu` needs tfjs-node-gpu and a CUDA device TensorFlow can see.
 */
function tensorflowAdapter(requested: 'tensorflow' | 'node' | 'node-gpu'): Adapter {
  const wantGpu = requested === 'node-gpu';
  const packageName = wantGpu ? TFJS_NODE_GPU : TFJS_NODE;
  return async ({ importer }) => {
    if (!isNode()) unsupported(requested, 'Node.js', `The ${requested} backend (${packageName}) runs only in Node.js.`);
    if (tf.findBackendFactory('tensorflow') === null) {
      await importBackendPackage(packageName, requested, importer, INSTALL_HINT);
      if (tf.findBackendFactory('tensorflow') === null) {
        throw new BackendUnavailableError(
          `${packageName} loaded but registered its backend in another copy of @tensorflow/tfjs-core than this ` +
            `one (${tf.version_core}): install versions that share one tfjs-core (check npm ls @tensorflow/tfjs-core).`,
          { backend: requested, failure: 'conflict' },
        );
      }
    }
    const previous = tf.getBackend() as string | null;
    await setBackendOrThrow('tensorflow', requested, `Reinstall ${packageName}; its native binding may not match this Node.`);
    const backend = tf.backend() as NodeJSKernelBackendShape;
    if (!wantGpu) return backend.isGPUPackage === true ? `TensorFlow from ${TFJS_NODE_GPU}, which is loaded` : undefined;
    if (backend.isGPUPackage !== true) {
      await restoreBackend(previous, 'tensorflow');
      throw new BackendUnavailableError(
        `${TFJS_NODE} is already loaded in this process, so ${TFJS_NODE_GPU} cannot be (both register the ` +
          `tensorflow backend): import only ${TFJS_NODE_GPU}.`,
        { backend: requested, failure: 'conflict' },
      );
    }
    if (backend.isUsingGpuDevice !== true) {
      await restoreBackend(previous, 'tensorflow');
      unsupported(
        requested,
        'a CUDA GPU',
        `${TFJS_NODE_GPU} loaded but TensorFlow sees no CUDA GPU: check the NVIDIA driver and the CUDA and cuDNN ` +
          `versions its README requires (or use node for TensorFlow on the CPU).`,
      );
    }
    return undefined;
  };
}

/** `tensorflow`: native TensorFlow from whichever tfjs-node package is loaded. */
export const activateTensorflow = tensorflowAdapter('tensorflow');
/** `node`: the same as `tensorflow`, named after the package. */
export const activateNode = tensorflowAdapter('node');
/** `node-gpu`: native TensorFlow on a CUDA GPU. */
export const activateNodeGpu = tensorflowAdapter('node-gpu');
