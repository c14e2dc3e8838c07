/**
 * How one PyTorch state-dict entry lands on a tfjs-layers weight. Layer names equal torchvision's
 * module names, so the mapping is a rename of the parameter plus a layout change.
 */

/** PyTorch parameter name → tfjs-layers weight name, per layer kind. */
const BATCH_NORM: Record<string, string> = {
  weight: 'gamma',
  bias: 'beta',
  running_mean: 'moving_mean',
  running_var: 'moving_variance',
};

/** How to lay out a PyTorch tensor for tfjs. */
export type Layout =
  /** Conv weight OIHW (grouped: [out, in/groups, kh, kw]) → HWIO ([kh, kw, in/groups, out]). */
  | 'oihw-to-hwio'
  /** Linear weight [out, in] → Dense kernel [in, out]. */
  | 'transpose-2d'
  | 'as-is';

/** Where a state-dict entry goes: `layer` and its weight named `weight`, in `layout`. */
export interface KeyTarget {
  layer: string;
  weight: string;
  layout: Layout;
}

/** tfjs-layers weight name → PyTorch parameter name, for BatchNormalization (the inverse of BATCH_NORM). */
const BATCH_NORM_PARAM: Record<string, string> = Object.fromEntries(Object.entries(BATCH_NORM).map(([torch, tfjs]) => [tfjs, torch]));

/**
 * BN's count of training batches, PyTorch's `num_batches_tracked`: no tfjs weight, but the counter
 * of @resnext/layers' TrainingBatchNormalization (a stock BatchNormalization ignores it).
 */
export const BATCH_COUNTER = 'num_batches_tracked';

/**
 * Splits `layer2.0.downsample.1.running_var` into module and parameter, and maps it onto the tfjs
 * weight given the kind of layer found under that module name.
 */
export function targetOf(key: string, layerKind: (layer: string) => 'conv' | 'batchnorm' | 'dense' | undefined): KeyTarget | undefined {
  const dot = key.lastIndexOf('.');
  if (dot < 0) return undefined;
  const layer = key.slice(0, dot);
  const param = key.slice(dot + 1);
  switch (layerKind(layer)) {
    case 'conv':
      return param === 'weight' ? { layer, weight: 'kernel', layout: 'oihw-to-hwio' } : param === 'bias' ? { layer, weight: 'bias', layout: 'as-is' } : undefined;
    case 'dense':
      return param === 'weight' ? { layer, weight: 'kernel', layout: 'transpose-2d' } : param === 'bias' ? { layer, weight: 'bias', layout: 'as-is' } : undefined;
    case 'batchnorm':
      return BATCH_NORM[param] === undefined ? undefined : { layer, weight: BATCH_NORM[param], layout: 'as-is' };
    default:
      return undefined;
  }
}

/**
 * The state-dict key a tfjs weight is loaded from: the inverse of {@link targetOf}. For example
 * `('layer1.0.bn1', 'moving_variance', 'batchnorm')` → `layer1.0.bn1.running_var` and
 * `('fc', 'kernel', 'dense')` → `fc.weight`. A weight of another kind of layer keeps its tfjs
 * name, `layer/weight`, since no state-dict key maps onto it.
 */
export function stateDictKeyOf(layer: string, weight: string, kind: 'conv' | 'batchnorm' | 'dense' | undefined): string {
  if (kind === 'batchnorm') {
    const param = BATCH_NORM_PARAM[weight];
    return param === undefined ? `${layer}/${weight}` : `${layer}.${param}`;
  }
  if (kind === 'conv' || kind === 'dense') {
    if (weight === 'kernel') return `${layer}.weight`;
    if (weight === 'bias') return `${layer}.bias`;
  }
  return `${layer}/${weight}`;
}
