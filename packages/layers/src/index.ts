// @resnext/layers: the grouped convolution op, layer and blocks arrive with issue #3.
export {};
