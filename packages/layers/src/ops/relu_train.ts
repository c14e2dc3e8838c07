/**
 * ReLU whose gradient is one kernel where the backend has it (wasm): dx = dy where y > 0. tfjs'
 * registered Relu gradient runs Step, Cast and Multiply over the full tensor.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ReluGradFromOutput } from '../kernels/kernel_names.js';
import { runKernel } from './dispatch.js';

/**
 * max(x, 0), differentiable: the gradient is dy masked by y > 0 (0 at x = 0, as tf.relu's), from
 * the {@link ReluGradFromOutput} kernel where the active backend registered it, else from core ops.
 */
export function reluTrain<T extends tf.Tensor>(x: T): T {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const y = tf.relu(input);
    save([y]);
    return {
      value: y,
      gradFunc: (dy, saved) => {
        const [out] = saved as [tf.Tensor];
        const d = dy;
        if (tf.getKernel(ReluGradFromOutput, tf.getBackend()) !== undefined) return [runKernel<tf.Tensor>(ReluGradFromOutput, { dy: d, y: out }, {})];
        return [tf.mul(d, tf.step(out))];
      },
    };
  });
  return op(x) as T;
}
