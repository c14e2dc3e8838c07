import * as tfl from '@tensorflow/tfjs-layers';
import type { ResNeXtConfig } from '../config.js';
import { getModelConfig } from '../registry.js';
import { classifierHead, globalPool } from './head.js';
import { resolveOptions, type ModelOptions } from './model_options.js';
import { stages } from './stages.js';
import { stem } from './stem.js';

/**
 * Builds a ResNeXt as a tfjs-layers functional model from a registered name or any config.
 * Layer names equal torchvision's state-dict module names (`conv1`, `bn1`, `layer1.0.conv1`, …,
 * `layer1.0.downsample.0`, `fc`), so torchvision and timm checkpoints map one to one.
 * Initialization follows torchvision: Kaiming-normal (fan-out) convolutions, BN γ = 1 and β = 0,
 * nn.Linear's default for the classifier.
 *
 * @example
 * ```ts
 * const model = createModel('resnext50_32x4d');                          // ImageNet classifier
 * const small = createModel('resnext29_8x64d', { numClasses: 10 });       // CIFAR
 * const backbone = createModel('resnext50_32x4d', { features: true, inputShape: [null, null, 3] });
 * ```
 */
export function createModel(nameOrConfig: string | ResNeXtConfig, options: ModelOptions = {}): tfl.LayersModel {
  const config = typeof nameOrConfig === 'string' ? getModelConfig(nameOrConfig) : nameOrConfig;
  const o = resolveOptions(options, config.defaultInputSize);
  const input = tfl.input({ shape: o.inputShape, name: 'input' });
  const stageOutputs = stages(stem(input, config), config, o.zeroInitResidual);
  const name = o.name ?? config.name;
  if (o.features) return tfl.model({ inputs: input, outputs: stageOutputs, name });
  const last = stageOutputs[stageOutputs.length - 1]!;
  const output = o.includeTop ? classifierHead(last, o.numClasses, o.dropRate) : o.pooling === null ? last : globalPool(last, o.pooling);
  return tfl.model({ inputs: input, outputs: output, name });
}
