// The shared grouped-convolution spec on the Node backends: cpu (our JS kernels) and wasm.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '../kernels/register_all.js';
import { groupConv2dSpec } from '../testing/group_conv2d_spec.js';

groupConv2dSpec('cpu');
groupConv2dSpec('wasm');
