/** Why a call to a worker classifier failed for reasons of the worker itself, not of the model or the image. */
export type WorkerFailure =
  /** The worker script could not be loaded or evaluated, or never answered (`workerUrl` names it). */
  | 'start-failed'
  /** The classifier was disposed (its worker terminated) before or while the call ran. */
  | 'disposed'
  /** A message could not be passed between the page and the worker (an input the browser cannot clone, a corrupt message). */
  | 'message-failed';

/**
 * Thrown by `loadInWorker` and the methods of a `WorkerClassifier` when the worker itself fails:
 * its script does not start, the classifier was disposed, or a message cannot cross to or from
 * the worker. Errors of the work (a corrupt image, a bad download, …) arrive as their own classes.
 */
export class WorkerError extends Error {
  override name = 'WorkerError';
  readonly reason: WorkerFailure;
  /** The worker script's URL, when known. */
  readonly workerUrl: string | undefined;

  constructor(init: { reason: WorkerFailure; problem: string; workerUrl?: string; cause?: unknown }) {
    super(init.problem, init.cause === undefined ? undefined : { cause: init.cause });
    this.reason = init.reason;
    this.workerUrl = init.workerUrl;
  }
}
