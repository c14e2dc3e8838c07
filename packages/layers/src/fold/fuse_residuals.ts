/**
 * Rewrites a folded model's config so that the end of each residual block, conv (+ bias) → Add
 * with the shortcut → ReLU, is one {@link ResidualGroupConv2D} layer called on [conv input,
 * shortcut]: on wasm one kernel then writes the block output once instead of three times.
 */
import { isPlainRelu, readers, redirectReads, type InboundEntry, type LayerEntry, type ModelConfig } from './fold_plan.js';

/** Config keys GroupConv2D takes, from a Conv2D's or a GroupConv2D's config. */
const CONV_KEYS = [
  'name',
  'trainable',
  'dtype',
  'filters',
  'kernelSize',
  'strides',
  'padding',
  'dataFormat',
  'dilationRate',
  'useBias',
  'kernelInitializer',
  'biasInitializer',
  'kernelRegularizer',
  'biasRegularizer',
  'activityRegularizer',
  'kernelConstraint',
  'biasConstraint',
];

/** One block end to fuse: the convolution, the Add, the ReLU after it, and the Add's other input. */
interface ResidualEnd {
  conv: LayerEntry;
  add: LayerEntry;
  relu: LayerEntry;
  shortcut: InboundEntry;
}

const isFirstOutput = (entry: InboundEntry | undefined): boolean => entry !== undefined && entry[1] === 0 && entry[2] === 0;

function findResidualEnds(config: ModelConfig, convs: ReadonlySet<string>): ResidualEnd[] {
  const byName = new Map(config.layers.map((l) => [l.name, l]));
  const readCount = readers(config);
  const reluOf = new Map<string, LayerEntry>();
  for (const layer of config.layers) {
    const node = layer.inboundNodes[0];
    if (isPlainRelu(layer) && layer.inboundNodes.length === 1 && node?.length === 1 && isFirstOutput(node[0])) reluOf.set(node[0]![0], layer);
  }
  const ends: ResidualEnd[] = [];
  for (const add of config.layers) {
    const node = add.inboundNodes[0];
    const relu = reluOf.get(add.name);
    if (add.className !== 'Add' || add.inboundNodes.length !== 1 || node?.length !== 2 || relu === undefined) continue;
    if (readCount.get(add.name) !== 1) continue;
    // The first input that is a folded, linear convolution read by this Add alone (the block's branch).
    const index = node.findIndex((entry) => {
      const conv = byName.get(entry[0]);
      return (
        conv !== undefined &&
        convs.has(conv.name) &&
        isFirstOutput(entry) &&
        readCount.get(conv.name) === 1 &&
        (conv.config['activation'] ?? 'linear') === 'linear' &&
        (conv.config['dataFormat'] ?? 'channelsLast') === 'channelsLast'
      );
    });
    if (index < 0) continue;
    ends.push({ conv: byName.get(node[index]![0])!, add, relu, shortcut: node[1 - index]! });
  }
  return ends;
}

/** The fused layer's entry: the convolution's config as a ResidualGroupConv2D with ReLU, called on [its input, shortcut]. */
function fusedEntry(end: ResidualEnd): LayerEntry {
  const config = Object.fromEntries(CONV_KEYS.filter((k) => k in end.conv.config).map((k) => [k, end.conv.config[k]]));
  return {
    name: end.conv.name,
    className: 'ResidualGroupConv2D',
    config: { ...config, groups: end.conv.config['groups'] ?? 1, activation: 'relu' },
    inboundNodes: [[end.conv.inboundNodes[0]![0]!, end.shortcut]],
  };
}

/**
 * A copy of `config` in which each Add whose only reader is a plain ReLU, and one of whose two
 * inputs is one of the `convs` (folded, linear, read by that Add alone), is gone with its ReLU:
 * the convolution becomes a ResidualGroupConv2D (same name and weights, ReLU fused) placed where
 * the Add was, and the ReLU's readers read it.
 */
export function withFusedResiduals(config: ModelConfig, convs: ReadonlySet<string>): ModelConfig {
  const ends = findResidualEnds(config, convs);
  const endOfAdd = new Map(ends.map((e) => [e.add.name, e]));
  const fusedConvs = new Set(ends.map((e) => e.conv.name));
  const convOfRelu = new Map(ends.map((e) => [e.relu.name, e.conv.name]));
  const redirect = redirectReads(convOfRelu);
  const copy = structuredClone(config);
  const layers: LayerEntry[] = [];
  for (const layer of copy.layers) {
    if (fusedConvs.has(layer.name) || convOfRelu.has(layer.name)) continue;
    // At the Add's place every input of the fused layer already exists.
    const end = endOfAdd.get(layer.name);
    const entry = end === undefined ? layer : fusedEntry(end);
    layers.push({ ...entry, inboundNodes: entry.inboundNodes.map((node) => node.map(redirect)) });
  }
  return { ...copy, layers, outputLayers: copy.outputLayers.map(redirect) };
}
