/** Why a backend could not be used. */
export type BackendFailure =
  /** Its npm package is not installed: `install` names it. */
  | 'not-installed'
  /** This runtime lacks something the backend needs (WebGL 2, WebGPU, a CUDA GPU, cross-origin isolation): `missing` names it. */
  | 'unsupported'
  /** The package loaded but the backend failed to start. */
  | 'init-failed'
  /** Another package already provides this backend in this process (tfjs-node next to tfjs-node-gpu, two tfjs-core copies). */
  | 'conflict';

/** Details of a {@link BackendUnavailableError}. */
export interface BackendUnavailableDetails {
  /** The backend asked for (`wasm`, `node-gpu`, ...). */
  backend: string;
  failure: BackendFailure;
  /** npm package to install, for `not-installed`. */
  install?: string;
  /** What the runtime lacks, for `unsupported` (e.g. `WebGL 2`). */
  missing?: string;
  /** The underlying error, if any. */
  cause?: unknown;
}

/**
 * Thrown by `useBackend` when a backend cannot be used. The message says what to install or what
 * is missing; the fields say the same for code (`failure`, `install`, `missing`).
 */
export class BackendUnavailableError extends Error {
  override name = 'BackendUnavailableError';
  /** The backend asked for. */
  readonly backend: string;
  /** Why it could not be used. */
  readonly failure: BackendFailure;
  /** npm package to install (`not-installed` only). */
  readonly install: string | undefined;
  /** What the runtime lacks (`unsupported` only). */
  readonly missing: string | undefined;

  constructor(message: string, details: BackendUnavailableDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.backend = details.backend;
    this.failure = details.failure;
    this.install = details.install;
    this.missing = details.missing;
  }
}
