/**
 * Downloading into the Node cache: streamed to `<entry>.incomplete`, resumed with a Range request,
 * verified, then renamed into place. Runs under the entry's lock file.
 */
import type { Hash } from 'node:crypto';
import { SIDECAR } from './cache_layout.js';
import { DownloadError, IntegrityError } from './errors.js';
import { acquireFileLock } from './file_lock.js';
import { openUrl, type OpenResponse, type RequestControl } from './http.js';
import { findMismatch } from './integrity.js';
import type { NodeBuiltins } from './node_builtins.js';
import { hashInto, lookupCached, writePinnedDigest } from './node_cache.js';
import type { DownloadProgress, FetchLike, WeightsFileSpec } from './options.js';

/** One file to bring into the cache. */
export interface DiskJob {
  /** The URL the entry caches (its key). */
  url: string;
  /** The URL to fetch (the same, or its mirror). */
  fetchUrl: string;
  spec: WeightsFileSpec;
  /** The entry's absolute path. */
  file: string;
  fetch: FetchLike;
  timeoutMs: number;
  lockStaleMs: number;
  signal: AbortSignal;
  emit(progress: DownloadProgress): void;
  warn(problem: Error): void;
}

const errorCode = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;

async function sizeOf(node: NodeBuiltins, file: string): Promise<number> {
  try {
    return (await node.fsp.stat(file)).size;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return 0;
    throw error;
  }
}

async function readText(node: NodeBuiltins, file: string): Promise<string | undefined> {
  try {
    return await node.fsp.readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/** `bytes start-end/total` (total may be `*`); undefined when malformed. */
function parseContentRange(header: string | null): { start: number; end: number; total: number | undefined } | undefined {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header?.trim() ?? '');
  if (m === null) return undefined;
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? undefined : Number(m[3]) };
}

/** The length of the body as sent, if the response declares it (not when it is content-encoded). */
function declaredLength(response: Response): number | undefined {
  const encoding = response.headers.get('content-encoding');
  const length = response.headers.get('content-length');
  if ((encoding !== null && encoding !== 'identity') || length === null || !/^\d+$/.test(length)) return undefined;
  return Number(length);
}

/** A validator that proves a resumed range comes from the same file: a strong ETag, else Last-Modified. */
function validatorOf(response: Response): string | undefined {
  const etag = response.headers.get('etag');
  if (etag !== null && !etag.startsWith('W/')) return etag;
  return response.headers.get('last-modified') ?? undefined;
}

/** A response ready to be read: from which offset of the file, and its sizes when known. */
interface Opened {
  open: OpenResponse;
  /** Where the body starts in the file: the resumed size, or 0. */
  offset: number;
  /** The whole file's size. */
  total: number | undefined;
  /** The body's length as declared. */
  length: number | undefined;
}

/** How many times one call resumes a body that broke off. */
const MAX_RESUMES = 3;

class Download {
  readonly partial: string;
  /** Body bytes received by the last {@link receive}. */
  received = 0;
  readonly validatorFile: string;
  readonly control: RequestControl;

  constructor(
    readonly node: NodeBuiltins,
    readonly job: DiskJob,
  ) {
    this.partial = `${job.file}${SIDECAR.incomplete}`;
    this.validatorFile = `${job.file}${SIDECAR.validator}`;
    this.control = { fetch: job.fetch, timeoutMs: job.timeoutMs, signal: job.signal, file: this.partial };
  }

  async discardPartial(): Promise<void> {
    await this.node.fsp.rm(this.partial, { force: true });
    await this.node.fsp.rm(this.validatorFile, { force: true });
  }

  /**
   * Opens the response for bytes from `offset` on. Resuming asks for a range, with If-Range so a
   * changed file comes back whole; only a 206 whose Content-Range starts exactly at `offset` is
   * appended, anything else restarts from zero.
   */
  async open(offset: number): Promise<Opened> {
    const headers: Record<string, string> = { 'accept-encoding': 'identity' };
    if (offset > 0) {
      headers.range = `bytes=${offset}-`;
      const validator = await readText(this.node, this.validatorFile);
      if (validator !== undefined) headers['if-range'] = validator;
    }
    const open = await openUrl(this.job.fetchUrl, headers, this.control);
    const { response } = open;
    const expected = this.job.spec.bytes;
    if (response.status === 416 && offset > 0) return this.restart(open);
    if (!response.ok) throw await open.httpError();
    if (response.status === 206) {
      const range = parseContentRange(response.headers.get('content-range'));
      const consistent = range !== undefined && range.start === offset && (expected === undefined || range.total === undefined || range.total === expected);
      if (!consistent) {
        if (offset > 0) return this.restart(open);
        await open.discard();
        const header = response.headers.get('content-range') ?? 'none';
        throw new DownloadError({ url: this.job.fetchUrl, reason: 'http', status: 206, problem: `unrequested partial response (Content-Range ${header})` });
      }
      return { open, offset, total: range.total ?? expected, length: range.end - range.start + 1 };
    }
    // A 200 to a range request: the server ignored the range (or If-Range found the file changed).
    const length = declaredLength(response);
    const validator = validatorOf(response);
    if (validator === undefined) await this.node.fsp.rm(this.validatorFile, { force: true });
    else await this.node.fsp.writeFile(this.validatorFile, validator);
    return { open, offset: 0, total: length ?? expected, length };
  }

  async restart(open: OpenResponse): Promise<Opened> {
    await open.discard();
    await this.discardPartial();
    return this.open(0);
  }

  /** Streams the body into the partial file and the hash; returns the partial file's final size. */
  async receive(opened: Opened, hash: Hash): Promise<number> {
    const { open, offset, total, length } = opened;
    const { fetchUrl: url, spec } = this.job;
    if (offset > 0) await hashInto(this.node, this.partial, hash);
    const handle = await this.node.fsp.open(this.partial, offset > 0 ? 'a' : 'w');
    let loaded = offset;
    let received: number;
    this.received = 0;
    try {
      try {
        this.job.emit({ loaded, total, url });
        received = await open.read(async (chunk) => {
          if (spec.bytes !== undefined && loaded + chunk.byteLength > spec.bytes) {
            // Stop a body larger than the published size before it fills the disk.
            throw new IntegrityError({ url, file: this.partial, check: 'size', expected: spec.bytes, actual: loaded + chunk.byteLength, origin: 'download' });
          }
          hash.update(chunk);
          await handle.write(chunk);
          loaded += chunk.byteLength;
          this.received += chunk.byteLength;
          this.job.emit({ loaded, total, url });
        });
      } finally {
        await handle.close(); // before any removal: Windows cannot delete an open file
      }
    } catch (error) {
      if (error instanceof IntegrityError) await this.discardPartial();
      throw error;
    }
    if (length !== undefined && received !== length) {
      throw new DownloadError({ url, reason: 'network', problem: `connection closed after ${received} of ${length} bytes`, file: this.partial });
    }
    return loaded;
  }

  /** Verifies the partial file; if good, pins its digest and renames it into place. */
  async commit(size: number, digest: string): Promise<void> {
    const mismatch = findMismatch({ size, sha256: digest }, this.job.spec);
    if (mismatch !== undefined) {
      await this.discardPartial();
      throw new IntegrityError({ url: this.job.fetchUrl, file: this.partial, ...mismatch, origin: 'download' });
    }
    // The pin first: whoever sees the entry then also sees its digest.
    await writePinnedDigest(this.node, this.job.file, digest);
    await this.node.fsp.rename(this.partial, this.job.file);
    await this.node.fsp.rm(this.validatorFile, { force: true });
  }

  /** The size of a partial file that may be resumed, else 0 (after removing it). */
  async resumableOffset(): Promise<number> {
    const { spec } = this.job;
    const offset = await sizeOf(this.node, this.partial);
    if (offset === 0) return 0;
    // Without a validator or a digest, a resumed file could silently stitch two versions together.
    const hasValidator = (await readText(this.node, this.validatorFile)) !== undefined;
    const resumable = hasValidator || spec.sha256 !== undefined || spec.sha256Prefix !== undefined;
    if (resumable && (spec.bytes === undefined || offset <= spec.bytes)) return offset;
    await this.discardPartial();
    return 0;
  }

  /**
   * Resumes or starts the download and commits it. A body that breaks off, or stalls after
   * delivering bytes, is resumed at once, up to {@link MAX_RESUMES} times per call.
   */
  async run(): Promise<void> {
    let offset = await this.resumableOffset();
    if (offset > 0 && offset === this.job.spec.bytes) {
      // Complete before an interruption, never verified: verify without a request.
      const hash = this.node.crypto.createHash('sha256');
      await hashInto(this.node, this.partial, hash);
      const digest = hash.digest('hex');
      if (findMismatch({ size: offset, sha256: digest }, this.job.spec) === undefined) return this.commit(offset, digest);
      await this.discardPartial();
      offset = 0;
    }
    for (let resumes = 0; ; resumes += 1) {
      const opened = await this.open(offset);
      const hash = this.node.crypto.createHash('sha256');
      let size: number;
      try {
        size = await this.receive(opened, hash);
      } catch (error) {
        // The headers came, so the server works: a connection that broke is worth resuming, a
        // stall only if it delivered something (else the next source is a better bet).
        const transient = error instanceof DownloadError && (error.reason === 'network' || this.received > 0);
        if (!transient || resumes >= MAX_RESUMES) throw error;
        offset = await this.resumableOffset();
        continue;
      }
      try {
        return await this.commit(size, hash.digest('hex'));
      } catch (error) {
        // A resumed download that fails verification may owe it to a stale prefix: once more, whole.
        if (!(error instanceof IntegrityError) || opened.offset === 0 || resumes >= MAX_RESUMES) throw error;
        this.job.warn(error);
        offset = 0;
      }
    }
  }
}

/**
 * Brings `job.url` into the cache at `job.file`, holding `<file>.lock` so that one process writes
 * the `.incomplete` at a time. Another process may have finished it while this one waited: the
 * entry is looked up again under the lock.
 *
 * @returns whether the entry was found (true) rather than downloaded.
 */
export async function downloadToCache(node: NodeBuiltins, job: DiskJob): Promise<boolean> {
  const lock = await acquireFileLock(node, `${job.file}${SIDECAR.lock}`, { staleMs: job.lockStaleMs, signal: job.signal });
  try {
    const found = await lookupCached(node, job.file, job.url, job.spec);
    if (found.kind === 'hit') return true;
    if (found.kind === 'corrupt') job.warn(found.error);
    await new Download(node, job).run();
    return false;
  } finally {
    await lock.release();
  }
}
