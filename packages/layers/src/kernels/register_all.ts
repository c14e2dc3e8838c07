// Registers every kernel and gradient of @resnext/layers. Importing the package entry runs this
// once; it imports no backend package (kernels reach their backend through the engine), so it is
// safe whichever backends the application installed.
import { registerGradient } from '@tensorflow/tfjs-core';
import { groupConv2dGradConfig, groupConv2dResidualGradConfig } from '../ops/group_conv2d_grad.js';
import './cpu/register.js';
import './tensorflow/register.js';
import './wasm/register.js';
import './webgl/register.js';
import './webgpu/register.js';

registerGradient(groupConv2dGradConfig);
registerGradient(groupConv2dResidualGradConfig);
