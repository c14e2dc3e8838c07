import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { TrainingBatchNormalization } from '@resnext/layers';
import { WeightsFormatError, WeightsValueError } from '../errors.js';
import type { TensorMap, TensorRecord } from '../formats/tensor_record.js';
import { allFinite, valuesProblem } from './check_values.js';
import { StateDictMismatchError, type LoadStateDictResult } from './state_dict_mismatch_error.js';
import { BATCH_COUNTER, stateDictKeyOf, targetOf, type Layout } from './torchvision_keys.js';

export { StateDictMismatchError, type LoadStateDictResult } from './state_dict_mismatch_error.js';

function layerKindOf(layer: tfl.layers.Layer): 'conv' | 'batchnorm' | 'dense' | undefined {
  const cls = layer.getClassName();
  if (cls === 'Conv2D' || cls === 'GroupConv2D' || cls === 'DepthwiseConv2D') return 'conv';
  if (cls === 'BatchNormalization') return 'batchnorm';
  if (cls === 'Dense') return 'dense';
  return undefined;
}

/** The shape a tensor of `shape` takes in tfjs after `layout`, computed without touching its values. */
function tfjsShapeOf(shape: number[], layout: Layout): number[] {
  if (layout === 'transpose-2d') return [shape[1]!, shape[0]!];
  if (layout === 'oihw-to-hwio') return [shape[2]!, shape[3]!, shape[1]!, shape[0]!];
  return shape;
}

/**
 * The values in tfjs layout; only called once the shape is known to match the model's weight.
 * `finite` is false if any value is NaN or ±Infinity: the transposing loops already read every
 * value, so summing `v * 0` (0 for finite v, NaN otherwise) there makes the check nearly free;
 * values kept as they are are scanned only if `check`.
 */
function toTfjsLayout(values: Float32Array, shape: number[], layout: Layout, check: boolean): { values: Float32Array; finite: boolean } {
  if (layout === 'as-is') return { values, finite: !check || allFinite(values) };
  let nonFinite = 0;
  if (layout === 'transpose-2d') {
    const [o, i] = shape as [number, number];
    const out = new Float32Array(o * i);
    for (let r = 0; r < o; r++)
      for (let c = 0; c < i; c++) {
        const v = values[r * i + c]!;
        out[c * o + r] = v;
        nonFinite += v * 0;
      }
    return { values: out, finite: nonFinite === 0 };
  }
  const [o, i, kh, kw] = shape as [number, number, number, number];
  const out = new Float32Array(o * i * kh * kw);
  for (let a = 0; a < o; a++)
    for (let b = 0; b < i; b++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) {
          const v = values[((a * i + b) * kh + y) * kw + x]!;
          out[((y * kw + x) * i + b) * o + a] = v;
          nonFinite += v * 0;
        }
  return { values: out, finite: nonFinite === 0 };
}

/** Options of {@link loadStateDict}. */
export interface LoadStateDictOptions {
  /** Throw {@link StateDictMismatchError} on any missing, unexpected or mis-shaped key. Default true. */
  strict?: boolean;
  /** The checkpoint's file name, path or URL, for messages. Default `'checkpoint'`. */
  source?: string;
  /**
   * Refuse NaN or infinite values and negative BatchNorm running variances with a
   * {@link WeightsValueError} naming the key (a model loaded from them returns NaN). Default true;
   * `false` loads such weights as they are.
   */
  checkValues?: boolean;
}

/**
 * The problem with a BN's `num_batches_tracked` value, or undefined: it counts batches, so it must
 * be a non-negative integer.
 */
function counterProblem(value: number): string | undefined {
  return Number.isSafeInteger(value) && value >= 0 ? undefined : `num_batches_tracked must be a non-negative integer, got ${value}`;
}

/**
 * Copies a torchvision/timm state dict into a model built by @resnext/models (layer names =
 * torchvision module names): conv OIHW → HWIO, Linear transposed, BN statistics into
 * moving_mean/moving_variance, and each BN's `num_batches_tracked` into a
 * TrainingBatchNormalization's `numBatchesTracked` (a stock BatchNormalization has no counter and
 * ignores it; a checkpoint without the key leaves the counter as it is). In strict mode (default)
 * any missing, unexpected or mis-shaped key throws {@link StateDictMismatchError} before a single
 * weight changes; otherwise the matching weights are set and the lists are returned. Keys are
 * reported as state-dict keys (`layer1.0.bn1.running_var`), missing ones included.
 *
 * Shapes are compared before any value is touched, so the work done is proportional to the
 * model's weights, whatever shapes the checkpoint states. A tensor whose values do not fill its
 * shape throws {@link WeightsFormatError}; with `checkValues` (default) NaN/infinite values,
 * negative running variances and counters that are not non-negative integers throw
 * {@link WeightsValueError}; either way before any weight changes.
 */
export function loadStateDict(model: tfl.LayersModel, stateDict: TensorMap, options: LoadStateDictOptions = {}): LoadStateDictResult {
  const strict = options.strict ?? true;
  const source = options.source ?? 'checkpoint';
  const layers = new Map(model.layers.map((l) => [l.name, l]));
  const weights = new Map<string, tfl.LayerVariable>();
  // Each tfjs weight's state-dict key, to report missing weights in the checkpoint's naming.
  const stateDictKeys = new Map<string, string>();
  for (const layer of model.layers) {
    for (const w of layer.weights) {
      const weight = w.originalName.slice(w.originalName.lastIndexOf('/') + 1);
      weights.set(`${layer.name}/${weight}`, w);
      stateDictKeys.set(`${layer.name}/${weight}`, stateDictKeyOf(layer.name, weight, layerKindOf(layer)));
    }
  }
  const result: LoadStateDictResult = { missingKeys: [], unexpectedKeys: [], mismatchedKeys: [] };
  const matches: { key: string; variable: tfl.LayerVariable; record: TensorRecord; layout: Layout; isVariance: boolean }[] = [];
  const counters: { key: string; layer: TrainingBatchNormalization; record: TensorRecord }[] = [];
  const filled = new Set<string>();
  for (const [key, record] of stateDict) {
    if (key.endsWith(`.${BATCH_COUNTER}`)) {
      const layer = layers.get(key.slice(0, -BATCH_COUNTER.length - 1));
      if (!(layer instanceof TrainingBatchNormalization)) continue; // no counter to set
      if (record.shape.reduce((a, b) => a * b, 1) !== 1) {
        result.mismatchedKeys.push(`${key}: checkpoint [${record.shape.join(', ')}] vs model []`);
      } else if (record.values.length !== 1) {
        throw new WeightsFormatError(source, `tensor "${key}" of shape [${record.shape.join(', ')}] needs 1 value but has ${record.values.length}`);
      } else {
        counters.push({ key, layer, record });
      }
      continue;
    }
    const target = targetOf(key, (name) => {
      const layer = layers.get(name);
      return layer === undefined ? undefined : layerKindOf(layer);
    });
    const variable = target === undefined ? undefined : weights.get(`${target.layer}/${target.weight}`);
    if (target === undefined || variable === undefined) {
      result.unexpectedKeys.push(key);
      continue;
    }
    const rankFits = (target.layout === 'oihw-to-hwio' && record.shape.length === 4) || (target.layout === 'transpose-2d' && record.shape.length === 2);
    const layout = rankFits ? target.layout : 'as-is';
    const shape = tfjsShapeOf(record.shape, layout);
    filled.add(`${target.layer}/${target.weight}`);
    if (shape.join() !== variable.shape.join()) {
      // Present but mis-shaped: reported once, as mis-shaped (not also as missing), as PyTorch does.
      result.mismatchedKeys.push(`${key}: checkpoint [${shape.join(', ')}] vs model [${variable.shape.join(', ')}]`);
      continue;
    }
    // The shape now equals a model weight's, so its size is bounded by the model's.
    const numel = record.shape.reduce((a, b) => a * b, 1);
    if (record.values.length !== numel) {
      throw new WeightsFormatError(source, `tensor "${key}" of shape [${record.shape.join(', ')}] needs ${numel} values but has ${record.values.length}`);
    }
    matches.push({ key, variable, record, layout, isVariance: target.weight === 'moving_variance' });
  }
  for (const name of weights.keys()) if (!filled.has(name)) result.missingKeys.push(stateDictKeys.get(name) ?? name);
  const clean = result.missingKeys.length + result.unexpectedKeys.length + result.mismatchedKeys.length === 0;
  if (strict && !clean) throw new StateDictMismatchError(result, source);
  const assignments: [tfl.LayerVariable, Float32Array][] = [];
  for (const { key, variable, record, layout, isVariance } of matches) {
    const values = record.values instanceof Float32Array ? record.values : Float32Array.from(record.values);
    const check = options.checkValues ?? true;
    const data = toTfjsLayout(values, record.shape, layout, check);
    if (check && (!data.finite || isVariance)) {
      const problem = valuesProblem(values, isVariance);
      if (problem !== undefined) throw new WeightsValueError(source, key, `${problem}; pass checkValues: false to load it anyway`);
    }
    assignments.push([variable, data.values]);
  }
  for (const { key, record } of counters) {
    const problem = (options.checkValues ?? true) ? counterProblem(record.values[0]!) : undefined;
    if (problem !== undefined) throw new WeightsValueError(source, key, `${problem}; pass checkValues: false to load it anyway`);
  }
  for (const [variable, values] of assignments) {
    tf.tidy(() => {
      variable.write(tf.tensor(values, variable.shape as number[], 'float32'));
    });
  }
  for (const { layer, record } of counters) layer.numBatchesTracked = record.values[0]!;
  return result;
}
