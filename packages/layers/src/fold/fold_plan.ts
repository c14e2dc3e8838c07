/**
 * Finds the convolution → BatchNormalization pairs of a functional model's config that can be
 * folded into one convolution, and rewrites the config without the BN layers.
 */
import type * as tf from '@tensorflow/tfjs-core';

/** [layer name, node index, tensor index, call kwargs], as tfjs-layers serializes a layer call's input. */
export type InboundEntry = [string, number, number, tf.serialization.ConfigDict?];

/** One layer in a functional model's config (`LayersModel.getConfig().layers[i]`). */
export interface LayerEntry {
  name: string;
  className: string;
  config: tf.serialization.ConfigDict;
  inboundNodes: InboundEntry[][];
}

/** A functional model's config, as `LayersModel.getConfig()` returns it. */
export interface ModelConfig {
  name: string;
  layers: LayerEntry[];
  inputLayers: InboundEntry[];
  outputLayers: InboundEntry[];
}

/**
 * Reads of a removed layer's output, redirected to the layer that now produces it: `replacement`
 * maps removed layer → its replacement. Every removed layer here was called once with one output,
 * so its (node 0, tensor 0) becomes the replacement's (0, 0); call kwargs stay.
 */
export function redirectReads(replacement: ReadonlyMap<string, string>): (entry: InboundEntry) => InboundEntry {
  return (entry) => {
    const target = replacement.get(entry[0]);
    return target === undefined ? entry : ([target, entry[1], entry[2], ...entry.slice(3)] as InboundEntry);
  };
}

/** A convolution and the BatchNormalization that reads its output and nothing else does. */
export interface FoldPair {
  conv: string;
  bn: string;
}

/** Layer classes whose kernel's last axis is the output channel, so BN's per-channel scale folds into it. */
const FOLDABLE_CONVS = new Set(['Conv2D', 'GroupConv2D']);

/** How many times each layer's outputs are read, by other layers and as model outputs. */
export function readers(config: ModelConfig): Map<string, number> {
  const count = new Map<string, number>();
  const read = (entry: InboundEntry) => count.set(entry[0], (count.get(entry[0]) ?? 0) + 1);
  for (const layer of config.layers) for (const node of layer.inboundNodes) node.forEach(read);
  config.outputLayers.forEach(read);
  return count;
}

function isFoldableConv(layer: LayerEntry): boolean {
  const c = layer.config;
  return (
    FOLDABLE_CONVS.has(layer.className) &&
    layer.inboundNodes.length === 1 &&
    (c['activation'] ?? 'linear') === 'linear' &&
    (c['dataFormat'] ?? 'channelsLast') === 'channelsLast'
  );
}

function isChannelsLastBn(layer: LayerEntry): boolean {
  const axis = layer.config['axis'];
  return layer.className === 'BatchNormalization' && layer.inboundNodes.length === 1 && (axis === -1 || axis === 3);
}

/**
 * The foldable pairs: a channels-last Conv2D / GroupConv2D with a linear activation, called once,
 * whose only reader is a channels-last BatchNormalization called once on it alone.
 */
export function findFoldPairs(config: ModelConfig): FoldPair[] {
  const byName = new Map(config.layers.map((l) => [l.name, l]));
  const readCount = readers(config);
  const pairs: FoldPair[] = [];
  for (const bn of config.layers) {
    if (!isChannelsLastBn(bn)) continue;
    const node = bn.inboundNodes[0]!;
    if (node.length !== 1) continue;
    const [source, nodeIndex, tensorIndex] = node[0]!;
    const conv = byName.get(source);
    if (conv === undefined || nodeIndex !== 0 || tensorIndex !== 0 || !isFoldableConv(conv)) continue;
    if (readCount.get(conv.name) !== 1) continue;
    pairs.push({ conv: conv.name, bn: bn.name });
  }
  return pairs;
}

/**
 * A copy of `config` in which each pair's BN is gone, its readers read the convolution instead,
 * and the convolution has a bias (where the folded BN shift goes).
 */
export function withoutBatchNorms(config: ModelConfig, pairs: readonly FoldPair[]): ModelConfig {
  const convOf = new Map(pairs.map((p) => [p.bn, p.conv]));
  const folded = new Set(pairs.map((p) => p.conv));
  const redirect = redirectReads(convOf);
  const copy = structuredClone(config);
  return {
    ...copy,
    layers: copy.layers
      .filter((l) => !convOf.has(l.name))
      .map((l) => ({
        ...l,
        config: folded.has(l.name) ? { ...l.config, useBias: true } : l.config,
        inboundNodes: l.inboundNodes.map((node) => node.map(redirect)),
      })),
    outputLayers: copy.outputLayers.map(redirect),
  };
}

/** A ReLU layer (ReLU without a cap, slope or threshold, or Activation('relu')). */
export function isPlainRelu(layer: LayerEntry): boolean {
  const c = layer.config;
  if (layer.className === 'Activation') return c['activation'] === 'relu';
  return layer.className === 'ReLU' && (c['maxValue'] ?? null) === null && (c['negativeSlope'] ?? 0) === 0 && (c['threshold'] ?? 0) === 0;
}

/**
 * A copy of `config` in which every ReLU that is the only reader of one of the `convs` is gone:
 * the convolution takes `activation: 'relu'` (Conv2D and GroupConv2D then run one fused
 * conv + bias + ReLU kernel) and the ReLU's readers read the convolution.
 */
export function withFusedRelus(config: ModelConfig, convs: ReadonlySet<string>): ModelConfig {
  const readCount = readers(config);
  const convOf = new Map<string, string>();
  for (const layer of config.layers) {
    if (!isPlainRelu(layer) || layer.inboundNodes.length !== 1) continue;
    const node = layer.inboundNodes[0]!;
    const [source, nodeIndex, tensorIndex] = node[0] ?? [];
    if (node.length === 1 && source !== undefined && convs.has(source) && nodeIndex === 0 && tensorIndex === 0 && readCount.get(source) === 1) {
      convOf.set(layer.name, source);
    }
  }
  const fused = new Set(convOf.values());
  const redirect = redirectReads(convOf);
  const copy = structuredClone(config);
  return {
    ...copy,
    layers: copy.layers
      .filter((l) => !convOf.has(l.name))
      .map((l) => ({
        ...l,
        config: fused.has(l.name) ? { ...l.config, activation: 'relu' } : l.config,
        inboundNodes: l.inboundNodes.map((node) => node.map(redirect)),
      })),
    outputLayers: copy.outputLayers.map(redirect),
  };
}
