import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { TensorMap, TensorRecord } from '../formats/tensor_record.js';
import { StateDictMismatchError, type LoadStateDictResult } from './state_dict_mismatch_error.js';
import { IGNORED_SUFFIXES, stateDictKeyOf, targetOf, type Layout } from './torchvision_keys.js';

export { StateDictMismatchError, type LoadStateDictResult } from './state_dict_mismatch_error.js';

function layerKindOf(layer: tfl.layers.Layer): 'conv' | 'batchnorm' | 'dense' | undefined {
  const cls = layer.getClassName();
  if (cls === 'Conv2D' || cls === 'GroupConv2D' || cls === 'DepthwiseConv2D') return 'conv';
  if (cls === 'BatchNormalization') return 'batchnorm';
  if (cls === 'Dense') return 'dense';
  return undefined;
}

function toTfjsLayout(record: TensorRecord, layout: Layout): { shape: number[]; values: Float32Array } {
  const values = record.values instanceof Float32Array ? record.values : Float32Array.from(record.values);
  const s = record.shape;
  if (layout === 'as-is') return { shape: s, values };
  if (layout === 'transpose-2d') {
    const [o, i] = s as [number, number];
    const out = new Float32Array(o * i);
    for (let r = 0; r < o; r++) for (let c = 0; c < i; c++) out[c * o + r] = values[r * i + c]!;
    return { shape: [i, o], values: out };
  }
  const [o, i, kh, kw] = s as [number, number, number, number];
  const out = new Float32Array(o * i * kh * kw);
  for (let a = 0; a < o; a++)
    for (let b = 0; b < i; b++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) out[((y * kw + x) * i + b) * o + a] = values[((a * i + b) * kh + y) * kw + x]!;
  return { shape: [kh, kw, i, o], values: out };
}

/**
 * Copies a torchvision/timm state dict into a model built by @resnext/models (layer names =
 * torchvision module names): conv OIHW → HWIO, Linear transposed, BN statistics into
 * moving_mean/moving_variance. In strict mode (default) any missing, unexpected or mis-shaped
 * key throws {@link StateDictMismatchError} before a single weight changes; otherwise the
 * matching weights are set and the lists are returned. Keys are reported as state-dict keys
 * (`layer1.0.bn1.running_var`), missing ones included.
 */
export function loadStateDict(
  model: tfl.LayersModel,
  stateDict: TensorMap,
  options: { strict?: boolean; source?: string } = {},
): LoadStateDictResult {
  const strict = options.strict ?? true;
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
  const assignments: [tfl.LayerVariable, { shape: number[]; values: Float32Array }][] = [];
  const filled = new Set<string>();
  for (const [key, record] of stateDict) {
    if (IGNORED_SUFFIXES.some((s) => key.endsWith(`.${s}`))) continue;
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
    const data = toTfjsLayout(record, rankFits ? target.layout : 'as-is');
    if (data.shape.join() !== variable.shape.join()) {
      // Present but mis-shaped: reported once, as mis-shaped (not also as missing), as PyTorch does.
      filled.add(`${target.layer}/${target.weight}`);
      result.mismatchedKeys.push(`${key}: checkpoint [${data.shape.join(', ')}] vs model [${variable.shape.join(', ')}]`);
      continue;
    }
    filled.add(`${target.layer}/${target.weight}`);
    assignments.push([variable, data]);
  }
  for (const name of weights.keys()) if (!filled.has(name)) result.missingKeys.push(stateDictKeys.get(name) ?? name);
  const clean = result.missingKeys.length + result.unexpectedKeys.length + result.mismatchedKeys.length === 0;
  if (strict && !clean) throw new StateDictMismatchError(result, options.source ?? 'checkpoint');
  for (const [variable, data] of assignments) {
    tf.tidy(() => {
      variable.write(tf.tensor(data.values, data.shape, 'float32'));
    });
  }
  return result;
}
