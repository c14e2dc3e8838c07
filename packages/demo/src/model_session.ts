/** The one classifier the page holds: loaded in a Web Worker, replaced as a whole when the user loads another. */
import { loadInWorker, type Prediction, type WorkerClassifier, type WorkerLoadOptions } from '@resnext/pretrained/worker';

/** One classification as the page shows it. */
export interface Classification {
  predictions: Prediction[];
  /** Wall time of the call on the page: transfer, decode, preprocessing and inference. */
  milliseconds: number;
}

/** Holds at most one worker classifier. */
export class ModelSession {
  private classifier: WorkerClassifier | undefined;

  /** The loaded classifier, if any. */
  get current(): WorkerClassifier | undefined {
    return this.classifier;
  }

  /** Disposes the current classifier (its worker ends), then loads a new one. */
  async load(options: WorkerLoadOptions): Promise<WorkerClassifier> {
    const previous = this.classifier;
    this.classifier = undefined;
    // Freed first: two ResNeXt-50s side by side would double the memory for no use.
    await previous?.dispose();
    this.classifier = await loadInWorker(options);
    return this.classifier;
  }

  /** The top 5 of an encoded image (PNG, JPEG, WebP), decoded and classified in the worker. */
  async classify(image: Blob): Promise<Classification> {
    const classifier = this.classifier;
    if (classifier === undefined) throw new Error('no model is loaded: load one first');
    const start = performance.now();
    const predictions = await classifier.classify(image, 5);
    return { predictions, milliseconds: performance.now() - start };
  }
}
