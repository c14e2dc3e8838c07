import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Loader } from '../data/loader.js';
import { smoothedCrossEntropy } from './loss.js';

/** Mean cross-entropy (no label smoothing) and top-1 accuracy over a loader's epoch. */
export interface Evaluation {
  loss: number;
  accuracy: number;
}

/**
 * Runs the model in inference mode (BN on its moving statistics) over every evaluation batch.
 * With a `signal`, gives the event loop a turn after each batch and returns null once aborted.
 */
export async function evaluate(model: tfl.LayersModel, loader: Loader, numClasses: number, signal?: AbortSignal): Promise<Evaluation | null> {
  let lossSum = 0;
  let correct = 0;
  let count = 0;
  for await (const batch of loader.epoch(0)) {
    const n = batch.shape[0];
    const [loss, hits] = tf.tidy((): [tf.Scalar, tf.Scalar] => {
      const x = tf.tensor4d(batch.x, batch.shape);
      const logits = model.apply(x, { training: false }) as tf.Tensor2D;
      const targets = tf.tensor2d(batch.targets, [n, numClasses]);
      const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.tensor1d(batch.labels, 'int32')), 'float32'));
      return [tf.sum(smoothedCrossEntropy(logits, targets, 0)), hits] as [tf.Scalar, tf.Scalar];
    });
    lossSum += (await loss.data())[0]!;
    correct += (await hits.data())[0]!;
    count += n;
    tf.dispose([loss, hits]);
    if (signal !== undefined) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (signal.aborted) return null;
    }
  }
  return { loss: lossSum / count, accuracy: correct / count };
}
