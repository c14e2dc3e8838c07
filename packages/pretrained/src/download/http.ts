import { DownloadError } from './errors.js';
import type { FetchLike } from './options.js';

/** How a request is made and bounded. */
export interface RequestControl {
  fetch: FetchLike;
  /** Fail when no byte arrives for this long (ms); 0 disables. */
  timeoutMs: number;
  /** The caller's cancellation; the request then rejects with `signal.reason`. */
  signal: AbortSignal | undefined;
  /** The partial file the body is written to, named in errors that happen while reading the body. */
  file?: string | undefined;
  /** The call's overall deadline: `at` (epoch ms) and the `deadlineMs` it came from, for messages; undefined for none. */
  deadline?: Deadline | undefined;
}

/** An overall deadline shared by every request of one call. */
export interface Deadline {
  /** Epoch milliseconds. */
  at: number;
  /** The option value, for messages. */
  ms: number;
}

/** A response whose headers have arrived, with its body still to read. */
export interface OpenResponse {
  readonly response: Response;
  /** Streams the body to `onChunk` (awaited, so a slow consumer slows the download); resolves to the byte count. */
  read(onChunk: (chunk: Uint8Array) => Promise<void> | void): Promise<number>;
  /** Drops the body so the connection is released, and stops the timer. */
  discard(): Promise<void>;
  /** Drops the body and returns the `DownloadError` for the response's HTTP error status. */
  httpError(): Promise<DownloadError>;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : undefined;
  return detail === undefined || error.message.includes(detail) ? error.message : `${error.message} (${detail})`;
}

/**
 * Starts a GET request with a no-progress timeout: it bounds the wait for the headers and for each
 * chunk of the body, so a slow but steady download of a large file never times out, and a stalled
 * one does. The overall deadline, when given, bounds the whole request however steady it is.
 */
export async function openUrl(url: string, headers: Record<string, string>, control: RequestControl): Promise<OpenResponse> {
  const { signal, timeoutMs, file, deadline } = control;
  if (signal?.aborted) throw signal.reason;
  const controller = new AbortController();
  let timedOut = false;
  let pastDeadline = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    if (timeoutMs > 0) {
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort(new Error(`no data for ${timeoutMs} ms`));
      }, timeoutMs);
    }
  };
  const onAbort = (): void => controller.abort(signal?.reason);
  const stop = (): void => {
    clearTimeout(timer);
    clearTimeout(deadlineTimer);
    signal?.removeEventListener('abort', onAbort);
  };
  // Turns whatever fetch or the body stream threw into the caller's abort reason or a DownloadError.
  const failure = (error: unknown, loaded?: number): unknown => {
    stop();
    if (signal?.aborted) return signal.reason;
    const after = loaded === undefined ? 'before the response headers' : `after ${loaded} bytes of the body`;
    // Only once the body is being written is there a partial file worth naming.
    const partial = loaded === undefined ? undefined : file;
    if (pastDeadline) {
      return new DownloadError({ url, reason: 'deadline', problem: `not finished within the ${deadline?.ms} ms deadline (deadlineMs), ${after}`, file: partial });
    }
    if (timedOut) return new DownloadError({ url, reason: 'timeout', problem: `timed out: no data for ${timeoutMs} ms ${after}`, file: partial });
    if (error instanceof DownloadError) return error;
    return new DownloadError({ url, reason: 'network', problem: `connection failed ${after}: ${describe(error)}`, cause: error, file: partial });
  };

  signal?.addEventListener('abort', onAbort, { once: true });
  if (deadline !== undefined) {
    const left = deadline.at - Date.now();
    if (left <= 0) {
      pastDeadline = true;
      throw failure(new Error('deadline passed'));
    }
    deadlineTimer = setTimeout(() => {
      pastDeadline = true;
      controller.abort(new Error(`deadline of ${deadline.ms} ms passed`));
    }, left);
  }
  arm();
  let response: Response;
  try {
    response = await control.fetch(url, { headers, signal: controller.signal, redirect: 'follow' });
  } catch (error) {
    throw failure(error);
  }
  clearTimeout(timer); // re-armed by each read of the body

  const discard = async (): Promise<void> => {
    stop();
    await response.body?.cancel().catch(() => undefined);
  };
  return {
    response,
    discard,
    async httpError() {
      await discard();
      const text = response.statusText === '' ? '' : ` ${response.statusText}`;
      return new DownloadError({ url, reason: 'http', status: response.status, problem: `HTTP ${response.status}${text}` });
    },
    async read(onChunk) {
      let loaded = 0;
      if (response.body === null) {
        stop();
        return loaded;
      }
      const reader = response.body.getReader();
      for (;;) {
        let next: ReadableStreamReadResult<Uint8Array>;
        // Only time spent waiting for the network counts, not our own writes to disk.
        arm();
        try {
          next = await reader.read();
        } catch (error) {
          throw failure(error, loaded);
        }
        clearTimeout(timer);
        if (next.done) break;
        loaded += next.value.byteLength;
        try {
          await onChunk(next.value);
        } catch (error) {
          stop();
          await reader.cancel().catch(() => undefined);
          throw error;
        }
      }
      stop();
      return loaded;
    },
  };
}
