/**
 * `@resnext/pretrained/worker`: a classifier in a Web Worker, so the page never blocks on loading
 * or inference. Browsers only.
 */
export { loadInWorker, type WorkerLoadOptions } from './load_in_worker.js';
export { WorkerClassifier } from './worker_classifier.js';
export type { WorkerImageInput } from './image_transfer.js';
export type { WorkerBackendReport, WorkerMemory } from './protocol.js';
export { WorkerError, type WorkerFailure } from './worker_error.js';
export type { Prediction } from '../classifier/classifier.js';
export type { ClassifierMeta, CustomWeightsInfo } from '../classifier/classifier_meta.js';
