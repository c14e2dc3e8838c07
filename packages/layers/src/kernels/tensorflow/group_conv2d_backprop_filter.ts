import type * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { groupConvGeometry } from '../../ops/conv_geometry.js';
import { genericGroupConv2dBackpropFilter } from '../generic/group_conv2d_backprop_filter.js';
import { GroupConv2DBackpropFilter, type GroupConv2DBackpropFilterAttrs, type GroupConv2DBackpropFilterInputs } from '../kernel_names.js';
import { executeConvBackprop, type NativeBackend } from './native_backend.js';

/**
 * dL/dfilter for tfjs-node(-gpu): TensorFlow's grouped Conv2DBackpropFilter on a GPU; on CPU,
 * where TensorFlow rejects grouped filters, the generic per-group form over the dense CPU op.
 */
export const groupConv2dBackpropFilterTensorflowConfig: KernelConfig = {
  kernelName: GroupConv2DBackpropFilter,
  backendName: 'tensorflow',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as GroupConv2DBackpropFilterInputs<tf.Tensor4D>;
    const a = attrs as unknown as GroupConv2DBackpropFilterAttrs;
    const be = backend as NativeBackend;
    if (!be.isUsingGpuDevice) return genericGroupConv2dBackpropFilter(x, dy, a);
    const geo = groupConvGeometry(x.shape, a.filterShape, a);
    // TensorFlow's signature: Conv2DBackpropFilter(input, filter_sizes, out_backprop).
    return executeConvBackprop(be, 'Conv2DBackpropFilter', geo, a.filterShape, (sizes) => [x, sizes, dy]);
  },
};
