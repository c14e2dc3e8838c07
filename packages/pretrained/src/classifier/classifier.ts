import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { preprocess, type ImageInput } from '../preprocess/preprocess.js';
import type { ClassifierMeta } from './classifier_meta.js';

/** One of the top classes of an image. */
export interface Prediction {
  /** Class index in the classifier's output. */
  index: number;
  label: string;
  /** Softmax probability. */
  probability: number;
}

/**
 * A loaded, warmed-up classifier: the model, its weights' record, and the eval transform those
 * weights were trained for. Every method releases the tensors it makes.
 */
export class ResNeXtClassifier {
  constructor(
    /** The tfjs-layers model (BatchNorm folded into the convolutions unless disabled). */
    readonly model: tfl.LayersModel,
    /**
     * The weights' record: origin, license, metrics, preprocessing. For a checkpoint given with
     * `load({ weights })`, a description of that checkpoint instead (see {@link ClassifierMeta}).
     */
    readonly meta: ClassifierMeta,
    /** Class names, index = output index. */
    readonly labels: readonly string[],
  ) {}

  /** The image as the network's input: [1, crop, crop, 3], normalized as the weights expect. */
  preprocess(image: ImageInput): Promise<tf.Tensor4D> {
    return preprocess(image, this.meta.preprocessing);
  }

  /** Logits [batch, classes] for a preprocessed batch. The caller owns (and disposes) the result. */
  infer(batch: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => this.model.predict(batch) as tf.Tensor2D);
  }

  /** The `topk` most probable classes of one image, most probable first. */
  async classify(image: ImageInput, topk = 5): Promise<Prediction[]> {
    if (!Number.isInteger(topk) || topk < 1) throw new RangeError(`classify: topk must be a positive integer, got ${topk}`);
    const x = await this.preprocess(image);
    const probabilities = tf.tidy(() => tf.softmax(this.infer(x)));
    x.dispose();
    const values = await probabilities.data();
    probabilities.dispose();
    return Array.from(values, (probability, index) => ({ index, probability }))
      .sort((a, b) => b.probability - a.probability)
      .slice(0, topk)
      .map(({ index, probability }) => ({ index, label: this.labels[index] ?? String(index), probability }));
  }

  /** Frees the model's weights. */
  dispose(): void {
    this.model.dispose();
  }
}
