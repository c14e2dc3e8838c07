import type * as tfl from '@tensorflow/tfjs-layers';
import { basicBlock, bottleneckBlock } from '@resnext/layers';
import type { ResNeXtConfig } from '../config.js';

/**
 * The residual stages (`layer1` … `layerN`, blocks `layer{s}.{b}`, torchvision's names). The first
 * block of every stage after the first halves the resolution. Returns each stage's output.
 */
export function stages(x: tfl.SymbolicTensor, config: ResNeXtConfig, zeroInitResidual: boolean): tfl.SymbolicTensor[] {
  const outputs: tfl.SymbolicTensor[] = [];
  config.blocksPerStage.forEach((blocks, s) => {
    const planes = config.stagePlanes[s]!;
    for (let b = 0; b < blocks; b++) {
      const common = { prefix: `layer${s + 1}.${b}`, stride: b === 0 && s > 0 ? 2 : 1, zeroInitResidual, planes, expansion: config.expansion };
      x =
        config.block === 'bottleneck'
          ? bottleneckBlock(x, { ...common, cardinality: config.cardinality, baseWidth: config.baseWidth })
          : basicBlock(x, common);
    }
    outputs.push(x);
  });
  return outputs;
}
