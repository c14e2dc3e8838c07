/**
 * Page side of the protocol: starts the worker, matches answers to calls by id, and turns every
 * way a worker can fail (a script that does not load, a message that cannot be cloned, termination)
 * into a rejected call with a {@link WorkerError} rather than a hang.
 */
import { fromWireError } from './error_wire.js';
import { PROTOCOL, isWorkerResponse, type WorkerHello, type WorkerRequest, type WorkerResponse, type WorkerResults } from './protocol.js';
import { WorkerError } from './worker_error.js';

/** The parts of a `Worker` the channel uses (a stand-in in Node tests). */
export interface WorkerLike {
  postMessage(message: WorkerRequest | WorkerHello, transfer: Transferable[]): void;
  addEventListener(type: 'message' | 'error' | 'messageerror', listener: (event: Event) => void): void;
  terminate(): void;
}

/** Events of a call before its answer: download progress and non-fatal warnings of a load. */
export interface CallEvents {
  onProgress?: (progress: Extract<WorkerResponse, { type: 'progress' }>['progress']) => void;
  onWarning?: (warning: Error) => void;
}

interface Pending extends CallEvents {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** Distributes a request type over the union, so `call` checks each request's own fields. */
type RequestBody<K extends WorkerRequest['type']> = K extends unknown ? Omit<Extract<WorkerRequest, { type: K }>, 'id'> : never;

/** An error event's description: module workers that fail to load give a bare Event with no message. */
function describeErrorEvent(event: Event): string {
  const { message, filename, lineno } = event as Partial<ErrorEvent>;
  if (typeof message === 'string' && message !== '') return `${message}${filename ? ` (${filename}:${lineno ?? 0})` : ''}`;
  return 'the script could not be loaded or threw while loading (check that the URL serves the worker module as JavaScript, and the browser console)';
}

/** One worker and the calls in flight to it. */
export class WorkerChannel {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed: WorkerError | undefined;
  private readonly ready: Promise<void>;
  private markReady!: () => void;
  private failStart!: (error: WorkerError) => void;
  private started = false;

  constructor(
    private readonly worker: WorkerLike,
    /** For messages: the worker script's URL. */
    readonly workerUrl: string,
    startTimeoutMs: number,
  ) {
    this.ready = new Promise<void>((resolve, reject) => {
      this.markReady = resolve;
      this.failStart = reject;
    });
    // A rejection nobody awaits yet (start() is called right after) must not be reported as unhandled.
    this.ready.catch(() => undefined);
    worker.addEventListener('message', (event) => this.onMessage((event as MessageEvent<unknown>).data));
    worker.addEventListener('error', (event) => this.onError(event));
    worker.addEventListener('messageerror', () =>
      this.rejectAll(new WorkerError({ reason: 'message-failed', problem: 'a message from the classifier worker could not be deserialized', workerUrl })),
    );
    try {
      worker.postMessage({ type: 'hello', protocol: PROTOCOL }, []);
    } catch (cause) {
      this.close(this.startError('it refused a message', cause));
    }
    if (startTimeoutMs > 0) {
      const timer = setTimeout(() => {
        if (!this.started) this.close(this.startError(`it did not start within ${startTimeoutMs} ms (is it the classifier's worker module, or a script that calls serveClassifier()?)`));
      }, startTimeoutMs);
      void this.ready.finally(() => clearTimeout(timer)).catch(() => undefined);
    }
  }

  private startError(problem: string, cause?: unknown): WorkerError {
    return new WorkerError({ reason: 'start-failed', problem: `classifier worker ${this.workerUrl}: ${problem}`, workerUrl: this.workerUrl, cause });
  }

  /** Resolves when the worker has announced itself; rejects with a `start-failed` {@link WorkerError}. */
  start(): Promise<void> {
    return this.ready;
  }

  private onMessage(data: unknown): void {
    if (!isWorkerResponse(data)) return;
    if (data.type === 'ready') {
      if (data.protocol === PROTOCOL) {
        this.started = true;
        this.markReady();
      } else {
        this.close(this.startError(`it speaks protocol ${String(data.protocol)}, this page ${PROTOCOL}: build the worker from the same @resnext/pretrained version`));
      }
      return;
    }
    const call = this.pending.get(data.id);
    if (call === undefined) return;
    if (data.type === 'progress') call.onProgress?.(data.progress);
    else if (data.type === 'warning') (call.onWarning ?? ((w: Error) => console.warn(w)))(fromWireError(data.warning));
    else {
      this.pending.delete(data.id);
      if (data.type === 'result') call.resolve(data.value);
      else call.reject(fromWireError(data.error));
    }
  }

  private onError(event: Event): void {
    if (!this.started) {
      // Before `ready`, an error means the script (or one of its imports) failed to load or run.
      event.preventDefault();
      this.close(this.startError(describeErrorEvent(event)));
    }
    // Later, an uncaught error in the worker belongs to no call (each call's own errors are caught
    // and answered): the browser reports it in the console and the worker keeps serving.
  }

  private rejectAll(error: WorkerError): void {
    for (const call of this.pending.values()) call.reject(error);
    this.pending.clear();
  }

  /** Terminates the worker; calls in flight and later calls reject with `error`. */
  close(error: WorkerError): void {
    if (this.closed !== undefined) return;
    this.closed = error;
    this.worker.terminate();
    this.failStart(error);
    this.rejectAll(error);
  }

  /** Whether the channel was closed (disposed, or its worker failed to start). */
  get isClosed(): boolean {
    return this.closed !== undefined;
  }

  /** Sends one request and resolves with its answer, or rejects with the error the worker sent back. */
  call<K extends WorkerRequest['type']>(body: RequestBody<K>, transfer: Transferable[] = [], events: CallEvents = {}): Promise<WorkerResults[K]> {
    if (this.closed !== undefined) return Promise.reject(this.closed);
    const id = this.nextId++;
    return new Promise<WorkerResults[K]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve, reject, ...events });
      try {
        this.worker.postMessage({ ...body, id }, transfer);
      } catch (cause) {
        this.pending.delete(id);
        reject(new WorkerError({ reason: 'message-failed', problem: `the ${body.type} request could not be sent to the classifier worker (${String(cause)})`, workerUrl: this.workerUrl, cause }));
      }
    });
  }
}
