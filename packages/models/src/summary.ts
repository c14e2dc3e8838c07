import type { ResNeXtConfig } from './config.js';
import { getModelConfig } from './registry.js';

/** Size of one part of the network. */
export interface PartSummary {
  /** Trainable parameters, as PyTorch's `parameters()` counts them (BN running statistics excluded). */
  params: number;
  /** Multiply-accumulates of convolutions and the classifier for one image (BN, ReLU, pooling excluded, as torchvision counts). */
  macs: number;
  /** Output [height, width, channels]. */
  outputShape: [number, number, number];
}

/** Size of a whole network and of its stem, stages and head. */
export interface ModelSummary extends Omit<PartSummary, 'outputShape'> {
  stem: PartSummary;
  perStage: PartSummary[];
  head: PartSummary;
}

/** Options that change a network's size. */
export interface SummaryOptions {
  numClasses?: number;
  /** [height, width, channels]; defaults to the config's input size with 3 channels. */
  inputShape?: [number, number, number];
  /** Without the classifier (features or pooled embeddings). */
  includeTop?: boolean;
}

const convOut = (size: number, k: number, stride: number, pad: number) => Math.floor((size + 2 * pad - k) / stride) + 1;

/** Counts a k×k convolution (no bias) followed by BatchNorm. */
function convBn(h: number, w: number, k: number, cin: number, cout: number, stride: number, groups = 1) {
  const oh = convOut(h, k, stride, (k - 1) >> 1);
  const ow = convOut(w, k, stride, (k - 1) >> 1);
  const weights = k * k * (cin / groups) * cout;
  return { params: weights + 2 * cout, macs: oh * ow * weights, oh, ow };
}

/** Inner (grouped) width of a bottleneck: ⌊planes × baseWidth / 64⌋ × cardinality, as torchvision. */
function bottleneckWidth(config: ResNeXtConfig, planes: number): number {
  return Math.floor((planes * config.baseWidth) / 64) * config.cardinality;
}

/**
 * Parameters and multiply-accumulates of a ResNeXt, computed from its config alone (no model is
 * built). The built model's counts equal these; the models package tests that they do.
 */
export function modelSummary(nameOrConfig: string | ResNeXtConfig, options: SummaryOptions = {}): ModelSummary {
  const config = typeof nameOrConfig === 'string' ? getModelConfig(nameOrConfig) : nameOrConfig;
  const [inH, inW, inC] = options.inputShape ?? [config.defaultInputSize, config.defaultInputSize, 3];
  const numClasses = options.numClasses ?? 1000;

  let h: number;
  let w: number;
  let stem: PartSummary;
  if (config.stem === 'imagenet') {
    const conv = convBn(inH, inW, 7, inC, config.stemWidth, 2);
    h = convOut(conv.oh, 3, 2, 1);
    w = convOut(conv.ow, 3, 2, 1);
    stem = { params: conv.params, macs: conv.macs, outputShape: [h, w, config.stemWidth] };
  } else {
    const conv = convBn(inH, inW, 3, inC, config.stemWidth, 1);
    [h, w] = [conv.oh, conv.ow];
    stem = { params: conv.params, macs: conv.macs, outputShape: [h, w, config.stemWidth] };
  }

  let channels = config.stemWidth;
  const perStage: PartSummary[] = config.blocksPerStage.map((blocks, s) => {
    const planes = config.stagePlanes[s]!;
    const out = planes * config.expansion;
    let params = 0;
    let macs = 0;
    for (let b = 0; b < blocks; b++) {
      const stride = b === 0 && s > 0 ? 2 : 1;
      const parts =
        config.block === 'bottleneck'
          ? (() => {
              const width = bottleneckWidth(config, planes);
              const c1 = convBn(h, w, 1, channels, width, 1);
              const c2 = convBn(h, w, 3, width, width, stride, config.cardinality);
              const c3 = convBn(c2.oh, c2.ow, 1, width, out, 1);
              return [c1, c2, c3];
            })()
          : (() => {
              // Basic block (ResNeXt-18/34): inner width = planes = 2 × output.
              const c1 = convBn(h, w, 3, channels, planes, stride);
              const c2 = convBn(c1.oh, c1.ow, 3, planes, out, 1);
              return [c1, c2];
            })();
      if (stride !== 1 || channels !== out) parts.push(convBn(h, w, 1, channels, out, stride));
      for (const p of parts) {
        params += p.params;
        macs += p.macs;
      }
      const last = parts[parts.length - 1]!;
      [h, w, channels] = [last.oh, last.ow, out];
    }
    return { params, macs, outputShape: [h, w, channels] };
  });

  const includeTop = options.includeTop ?? true;
  const head: PartSummary = includeTop
    ? { params: channels * numClasses + numClasses, macs: channels * numClasses, outputShape: [1, 1, numClasses] }
    : { params: 0, macs: 0, outputShape: [1, 1, channels] };
  const parts = [stem, ...perStage, head];
  return {
    params: parts.reduce((s, p) => s + p.params, 0),
    macs: parts.reduce((s, p) => s + p.macs, 0),
    stem,
    perStage,
    head,
  };
}
