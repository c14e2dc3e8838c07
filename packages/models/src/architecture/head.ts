import * as tfl from '@tensorflow/tfjs-layers';

/**
 * torchvision's classifier: global average pool (`avgpool`), optional dropout, and `fc` with
 * nn.Linear's default initialization, U(−1/√fanIn, 1/√fanIn) for weights and bias.
 */
export function classifierHead(x: tfl.SymbolicTensor, numClasses: number, dropRate: number): tfl.SymbolicTensor {
  const channels = x.shape[x.shape.length - 1] as number;
  const bound = 1 / Math.sqrt(channels);
  let y = tfl.layers.globalAveragePooling2d({ name: 'avgpool' }).apply(x) as tfl.SymbolicTensor;
  if (dropRate > 0) y = tfl.layers.dropout({ name: 'dropout', rate: dropRate }).apply(y) as tfl.SymbolicTensor;
  return tfl.layers
    .dense({
      name: 'fc',
      units: numClasses,
      kernelInitializer: tfl.initializers.randomUniform({ minval: -bound, maxval: bound }),
      biasInitializer: tfl.initializers.randomUniform({ minval: -bound, maxval: bound }),
    })
    .apply(y) as tfl.SymbolicTensor;
}

/** Global pooling for a headless model. */
export function globalPool(x: tfl.SymbolicTensor, pooling: 'avg' | 'max'): tfl.SymbolicTensor {
  const layer = pooling === 'avg' ? tfl.layers.globalAveragePooling2d({ name: 'avgpool' }) : tfl.layers.globalMaxPooling2d({ name: 'maxpool.global' });
  return layer.apply(x) as tfl.SymbolicTensor;
}
