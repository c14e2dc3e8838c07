import type { IntegrityError } from './errors.js';
import type { Deadline } from './http.js';
import type { Participant } from './in_flight.js';
import type { WeightsFileSpec } from './options.js';

/** A cache lookup: a verified entry, none (and where it was looked for), or a corrupted one (discarded). */
type Lookup<T> =
  | { kind: 'hit'; value: T }
  | { kind: 'missing'; where: string }
  | { kind: 'corrupt'; error: IntegrityError };

/**
 * Where downloaded weights are kept: the Node disk cache (`T` = a file path) or a response cache
 * (`T` = the bytes). fetch_weights.ts drives either through this interface.
 */
export interface WeightsStore<T> {
  /** Looks the URL up and verifies the entry; never touches the network. */
  lookup(url: string, spec: WeightsFileSpec): Promise<Lookup<T>>;
  /** Downloads `fetchUrl` as the entry of `url`, verified; concurrent calls for one entry share one download. */
  download(url: string, fetchUrl: string, spec: WeightsFileSpec, participant: Participant): Promise<{ value: T; fromCache: boolean }>;
  /** The bytes of an entry. */
  bytesOf(value: T): Promise<Uint8Array>;
}

/** How a store downloads and reports. */
export interface StoreSettings {
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  timeoutMs: number;
  lockStaleMs: number;
  /** The call's overall deadline, if any. */
  deadline: Deadline | undefined;
  /** The largest file accepted, in bytes. */
  maxBytes: number;
  warn: (problem: Error) => void;
}
