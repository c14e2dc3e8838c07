// @resnext/pretrained: weight registry, loaders, preprocessing and classify arrive with issue #5.
export {};
