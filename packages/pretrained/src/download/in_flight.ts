import type { DownloadProgress } from './options.js';

/** What a caller brings to a shared task. */
export interface Participant {
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: DownloadProgress) => void) | undefined;
}

interface Task<T> {
  readonly promise: Promise<T>;
  readonly controller: AbortController;
  readonly listeners: Set<(progress: DownloadProgress) => void>;
  waiters: number;
  settled: boolean;
}

/**
 * Runs one task per key at a time within the process: concurrent callers for the same file share
 * one download, each gets its progress events, and each may cancel its own wait. The shared work
 * is aborted only when every caller has cancelled, so one impatient caller does not break the
 * others' download.
 */
export class InFlight<T> {
  readonly #tasks = new Map<string, Task<T>>();

  /** The running task for `key` joined, or `start` run as a new one. */
  run(key: string, participant: Participant, start: (signal: AbortSignal, emit: (progress: DownloadProgress) => void) => Promise<T>): Promise<T> {
    if (participant.signal?.aborted) return Promise.reject(participant.signal.reason as Error);
    let task = this.#tasks.get(key);
    if (task === undefined) {
      const controller = new AbortController();
      const listeners = new Set<(progress: DownloadProgress) => void>();
      const emit = (progress: DownloadProgress): void => {
        for (const listener of listeners) listener(progress);
      };
      const created: Task<T> = {
        promise: start(controller.signal, emit),
        controller,
        listeners,
        waiters: 0,
        settled: false,
      };
      const forget = (): void => {
        created.settled = true;
        if (this.#tasks.get(key) === created) this.#tasks.delete(key);
      };
      // Handled here so an abandoned task's rejection is never reported as unhandled.
      created.promise.then(forget, forget);
      this.#tasks.set(key, created);
      task = created;
    }
    return this.#join(key, task, participant);
  }

  /** Number of tasks running (for tests and diagnostics). */
  get size(): number {
    return this.#tasks.size;
  }

  #join(key: string, task: Task<T>, { signal, onProgress }: Participant): Promise<T> {
    // A wrapper per call, so the same callback passed twice is still two listeners.
    const listener = onProgress === undefined ? undefined : (progress: DownloadProgress) => onProgress(progress);
    if (listener !== undefined) task.listeners.add(listener);
    task.waiters += 1;
    return new Promise<T>((resolve, reject) => {
      let left = false;
      // Once per caller: after cancelling, the task's own settlement must not count it again.
      const leave = (): boolean => {
        if (left) return false;
        left = true;
        if (listener !== undefined) task.listeners.delete(listener);
        signal?.removeEventListener('abort', onAbort);
        task.waiters -= 1;
        return true;
      };
      const onAbort = (): void => {
        if (!leave()) return;
        if (task.waiters === 0 && !task.settled) {
          // Nobody waits any more: stop the work, and let a later caller start afresh.
          if (this.#tasks.get(key) === task) this.#tasks.delete(key);
          task.controller.abort(signal?.reason);
        }
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      task.promise.then(
        (value) => {
          if (leave()) resolve(value);
        },
        // Whatever the task threw, passed on as is.
        (error: Error) => {
          if (leave()) reject(error);
        },
      );
    });
  }
}
