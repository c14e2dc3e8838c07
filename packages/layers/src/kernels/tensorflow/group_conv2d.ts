import type { KernelConfig, Tensor } from '@tensorflow/tfjs-core';
import { groupConvGeometry } from '../../ops/conv_geometry.js';
import { GroupConv2D, type GroupConv2DAttrs, type GroupConv2DInputs } from '../kernel_names.js';
import { nativeConvAttrs, type NativeBackend } from './native_backend.js';

/**
 * GroupConv2D for tfjs-node / tfjs-node-gpu: TensorFlow's own Conv2D accepts a grouped filter
 * (input depth a multiple of the filter depth) — through cuDNN on GPU, and on CPU through a
 * slower generic path. Bias and ReLU run as TensorFlow's BiasAdd and Relu.
 */
export const groupConv2dTensorflowConfig: KernelConfig = {
  kernelName: GroupConv2D,
  backendName: 'tensorflow',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, filter, bias } = inputs as GroupConv2DInputs;
    const a = attrs as unknown as GroupConv2DAttrs;
    const be = backend as NativeBackend;
    const geo = groupConvGeometry(x.shape, filter.shape, a);
    const typeAttr = { name: 'T', type: be.binding.TF_ATTR_TYPE, value: be.binding.TF_FLOAT };
    let y: Tensor = be.executeSingleOutput('Conv2D', nativeConvAttrs(geo, be.binding), [x, filter]);
    if (bias !== undefined) {
      const format = { name: 'data_format', type: be.binding.TF_ATTR_STRING, value: 'NHWC' };
      const biased = be.executeSingleOutput('BiasAdd', [typeAttr, format], [y, bias]);
      y.dispose();
      y = biased;
    }
    if (a.activation === 'relu') {
      const activated = be.executeSingleOutput('Relu', [typeAttr], [y]);
      y.dispose();
      y = activated;
    }
    return y;
  },
};
