import type * as tfl from '@tensorflow/tfjs-layers';
import { TrainingBatchNormalization } from '@resnext/layers';
import type { TensorMap } from '../formats/tensor_record.js';
import { BATCH_COUNTER } from './torchvision_keys.js';

/** tfjs-layers weight name → PyTorch parameter name, for BatchNormalization. */
const BATCH_NORM: Record<string, string> = {
  gamma: 'weight',
  beta: 'bias',
  moving_mean: 'running_mean',
  moving_variance: 'running_var',
};

function hwioToOihw(values: Float32Array, [kh, kw, i, o]: number[]): Float32Array {
  const out = new Float32Array(values.length);
  for (let y = 0; y < kh!; y++)
    for (let x = 0; x < kw!; x++)
      for (let b = 0; b < i!; b++)
        for (let a = 0; a < o!; a++) out[((a * i! + b) * kh! + y) * kw! + x] = values[((y * kw! + x) * i! + b) * o! + a]!;
  return out;
}

function transpose2d(values: Float32Array, [i, o]: number[]): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < i!; r++) for (let c = 0; c < o!; c++) out[c * i! + r] = values[r * o! + c]!;
  return out;
}

/**
 * The PyTorch state dict of a model whose layer names are torchvision's (any @resnext/models
 * network): the inverse of `loadStateDict`. Conv kernels HWIO → OIHW, Dense kernels transposed, BN
 * statistics as running_mean/running_var, plus each BN's `num_batches_tracked` that PyTorch's
 * strict `load_state_dict` expects: a TrainingBatchNormalization's
 * {@link TrainingBatchNormalization.numBatchesTracked}, 0 for a stock BatchNormalization. Layers
 * without weights are skipped.
 */
export function toStateDict(model: tfl.LayersModel): TensorMap {
  const out: TensorMap = new Map();
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const weights = layer.getWeights();
    layer.weights.forEach((variable, k) => {
      const param = variable.originalName.slice(variable.originalName.lastIndexOf('/') + 1);
      const shape = variable.shape as number[];
      const values = weights[k]!.dataSync() as Float32Array;
      if (cls === 'BatchNormalization') {
        out.set(`${layer.name}.${BATCH_NORM[param] ?? param}`, { dtype: 'float32', shape, values: Float32Array.from(values) });
      } else if (param === 'kernel' && shape.length === 4) {
        out.set(`${layer.name}.weight`, { dtype: 'float32', shape: [shape[3]!, shape[2]!, shape[0]!, shape[1]!], values: hwioToOihw(values, shape) });
      } else if (param === 'kernel' && shape.length === 2) {
        out.set(`${layer.name}.weight`, { dtype: 'float32', shape: [shape[1]!, shape[0]!], values: transpose2d(values, shape) });
      } else {
        out.set(`${layer.name}.${param}`, { dtype: 'float32', shape, values: Float32Array.from(values) });
      }
    });
    if (cls === 'BatchNormalization') {
      const count = layer instanceof TrainingBatchNormalization ? layer.numBatchesTracked : 0;
      out.set(`${layer.name}.${BATCH_COUNTER}`, { dtype: 'int64', shape: [], values: Int32Array.of(count) });
    }
  }
  return out;
}
