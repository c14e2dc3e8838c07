import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { groupConvGeometry } from '../../ops/conv_geometry.js';
import { genericGroupConv2dBackpropInput } from '../generic/group_conv2d_backprop_input.js';
import { GroupConv2DBackpropInput, type GroupConv2DBackpropInputAttrs } from '../kernel_names.js';
import { nativeConvAttrs, type NativeBackend } from './native_backend.js';

/**
 * dL/dx for tfjs-node(-gpu). On a GPU, TensorFlow's Conv2DBackpropInput handles grouped filters
 * (cuDNN). Its CPU implementation rejects them (TensorFlow issues #50397, #51825), so on CPU
 * this runs the generic per-group form, which uses the dense CPU op group by group.
 */
export const groupConv2dBackpropInputTensorflowConfig: KernelConfig = {
  kernelName: GroupConv2DBackpropInput,
  backendName: 'tensorflow',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: tf.Tensor4D; filter: tf.Tensor4D };
    const a = attrs as unknown as GroupConv2DBackpropInputAttrs;
    const be = backend as NativeBackend;
    if (!be.isUsingGpuDevice) return genericGroupConv2dBackpropInput(dy, filter, a);
    const geo = groupConvGeometry(a.inputShape, filter.shape, a);
    const inputSizes = tf.tensor1d(a.inputShape, 'int32');
    try {
      return be.executeSingleOutput('Conv2DBackpropInput', nativeConvAttrs(geo, be.binding), [inputSizes, filter, dy] as TensorInfo[]);
    } finally {
      inputSizes.dispose();
    }
  },
};
