/**
 * Downloading into the Node cache: streamed to a partial file of this download's own, resumed with
 * a Range request, verified, then renamed into place. Runs under the entry's lock file, and
 * renames into place only while it still holds it.
 */
import type { Hash } from 'node:crypto';
import { SIDECAR } from './cache_layout.js';
import { DownloadError, IntegrityError } from './errors.js';
import { acquireFileLock, type FileLock } from './file_lock.js';
import { openUrl, type Deadline, type OpenResponse, type RequestControl } from './http.js';
import { findMismatch, hasDigest } from './integrity.js';
import type { NodeBuiltins } from '@resnext/layers/node-io';
import { fileStructureProblem, hashInto, lookupCached, writePinnedDigest } from './node_cache.js';
import type { DownloadProgress, FetchLike, WeightsFileSpec } from './options.js';
import { PartialFile } from './partial_file.js';
import { EXPECTED_STRUCTURE } from './structure.js';

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
  /** The call's overall deadline, if any. */
  deadline: Deadline | undefined;
  /** The largest file accepted. */
  maxBytes: number;
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
  /** The whole file's size, as the server or else the record says (for progress). */
  total: number | undefined;
  /** The whole file's size as the server announced it, and in which header; the body must reach it. */
  announced: { size: number; by: 'Content-Range' | 'Content-Length' } | undefined;
  /** The body's length as declared. */
  length: number | undefined;
}

/** How many times one call resumes a body that broke off. */
const MAX_RESUMES = 3;
/** How many times one call takes the lock again after losing it while paused. */
const MAX_LOCK_LOSSES = 2;

/** This process lost the entry's lock (it was paused past `lockStaleMs`); it must not commit. */
class LockLostError extends Error {
  override name = 'LockLostError';
}

class Download {
  readonly partialFile: PartialFile;
  /** The file written (this download's own). */
  readonly partial: string;
  /** The file named in errors: where the partial download is kept between calls. */
  readonly keptPartial: string;
  /** Body bytes received by the last {@link receive}. */
  received = 0;
  readonly validatorFile: string;
  readonly control: RequestControl;

  constructor(
    readonly node: NodeBuiltins,
    readonly job: DiskJob,
    readonly lock: FileLock,
  ) {
    this.partialFile = new PartialFile(node, job.file);
    this.partial = this.partialFile.path;
    this.keptPartial = this.partialFile.kept;
    this.validatorFile = this.partialFile.validator;
    this.control = { fetch: job.fetch, timeoutMs: job.timeoutMs, signal: job.signal, file: this.keptPartial, deadline: job.deadline };
  }

  async assertHeld(): Promise<void> {
    if (!(await this.lock.held())) throw new LockLostError(`lost the lock on ${this.job.file} while downloading it`);
  }

  async discardPartial(): Promise<void> {
    await this.partialFile.discard();
  }

  tooLarge(size: number, announced: boolean): DownloadError {
    const what = announced ? `announces ${size} bytes` : `sent more than ${this.job.maxBytes} bytes`;
    return new DownloadError({ url: this.job.fetchUrl, reason: 'too-large', problem: `the server ${what}, over the ${this.job.maxBytes}-byte limit (maxBytes); nothing was cached` });
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
      const consistent =
        range !== undefined &&
        range.start === offset &&
        range.end >= range.start &&
        (range.total === undefined || range.end < range.total) &&
        (expected === undefined || range.total === undefined || range.total === expected);
      if (!consistent) {
        if (offset > 0) return this.restart(open);
        await open.discard();
        const header = response.headers.get('content-range') ?? 'none';
        throw new DownloadError({ url: this.job.fetchUrl, reason: 'http', status: 206, problem: `unrequested or malformed partial response (Content-Range ${header})` });
      }
      const total = range.total ?? expected;
      if (total !== undefined && total > this.job.maxBytes) {
        await open.discard();
        throw this.tooLarge(total, true);
      }
      const announced = range.total === undefined ? undefined : { size: range.total, by: 'Content-Range' as const };
      return { open, offset, total, announced, length: range.end - range.start + 1 };
    }
    // A 200 to a range request: the server ignored the range (or If-Range found the file changed).
    const length = declaredLength(response);
    if ((length ?? expected ?? 0) > this.job.maxBytes) {
      await open.discard();
      throw this.tooLarge(length ?? expected ?? 0, true);
    }
    const validator = validatorOf(response);
    if (validator === undefined) await this.node.fsp.rm(this.validatorFile, { force: true });
    else await this.node.fsp.writeFile(this.validatorFile, validator);
    const announced = length === undefined ? undefined : { size: length, by: 'Content-Length' as const };
    return { open, offset: 0, total: length ?? expected, announced, length };
  }

  async restart(open: OpenResponse): Promise<Opened> {
    await open.discard();
    await this.discardPartial();
    return this.open(0);
  }

  /** Streams the body into the partial file and the hash; returns the partial file's final size. */
  async receive(opened: Opened, hash: Hash): Promise<number> {
    const { open, offset, total, length, announced } = opened;
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
            throw new IntegrityError({ url, file: this.keptPartial, check: 'size', expected: spec.bytes, actual: loaded + chunk.byteLength, origin: 'download' });
          }
          if (loaded + chunk.byteLength > this.job.maxBytes) throw this.tooLarge(loaded + chunk.byteLength, false);
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
      if (error instanceof IntegrityError || (error instanceof DownloadError && error.reason === 'too-large')) await this.discardPartial();
      throw error;
    }
    if (length !== undefined && received !== length) {
      throw new DownloadError({ url, reason: 'network', problem: `connection closed after ${received} of ${length} bytes`, file: this.keptPartial });
    }
    if (announced !== undefined && loaded !== announced.size) {
      // A body that matches its own length but not the file's announced size (a short 206) is still
      // short. (Against the record's size it is an integrity failure instead, found by commit.)
      throw new DownloadError({ url, reason: 'network', problem: `short body: the file ends at ${loaded} of the ${announced.size} bytes announced by ${announced.by}`, file: this.keptPartial });
    }
    return loaded;
  }

  /**
   * Verifies the partial file — against the digest, or without one against its format's structure
   * — and, if good and the lock is still ours, pins its digest and renames it into place.
   */
  async commit(size: number, digest: string): Promise<void> {
    const { spec, fetchUrl: url } = this.job;
    // Another process broke the lock while this one was paused: the entry is now its business
    // (and it may have removed this download's file as abandoned).
    await this.assertHeld();
    const mismatch = findMismatch({ size, sha256: digest }, spec);
    if (mismatch !== undefined) {
      await this.discardPartial();
      throw new IntegrityError({ url, file: this.keptPartial, ...mismatch, origin: 'download' });
    }
    if (!hasDigest(spec)) {
      const problem = await fileStructureProblem(this.node, this.partial).catch(async (error: unknown) => {
        if (errorCode(error) === 'ENOENT') await this.assertHeld();
        throw error;
      });
      if (problem !== undefined) {
        await this.discardPartial();
        throw new IntegrityError({ url, file: this.keptPartial, check: 'structure', expected: EXPECTED_STRUCTURE, actual: problem, origin: 'download' });
      }
    }
    await this.assertHeld();
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
   * Takes over any interrupted download (kept, or left by a killed process), clears partial files
   * abandoned by others, resumes or starts the download, and commits it. When it stops
   * without committing, the partial file is kept for the next call (if this process still holds
   * the lock; else it is dropped).
   */
  async run(): Promise<void> {
    await this.assertHeld();
    await this.partialFile.claim();
    await this.partialFile.removeAbandoned(this.job.lockStaleMs);
    try {
      await this.download();
    } catch (error) {
      if (await this.lock.held().catch(() => false)) await this.partialFile.putBack();
      else await this.discardPartial();
      throw error;
    }
  }

  /**
   * Resumes or starts the download and commits it. A body that breaks off, or stalls after
   * delivering bytes, is resumed at once, up to {@link MAX_RESUMES} times per call.
   */
  async download(): Promise<void> {
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
        const transient = error instanceof DownloadError && (error.reason === 'network' || (error.reason === 'timeout' && this.received > 0));
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
 * Takes the entry's lock, waiting for another process's download at most until the call's
 * deadline: the deadline bounds the whole call, not only this process's requests.
 */
async function acquireLock(node: NodeBuiltins, job: DiskJob): Promise<FileLock> {
  const lockPath = `${job.file}${SIDECAR.lock}`;
  const { deadline } = job;
  if (deadline === undefined) return acquireFileLock(node, lockPath, { staleMs: job.lockStaleMs, signal: job.signal });
  const timeout = AbortSignal.timeout(Math.max(0, deadline.at - Date.now()));
  try {
    return await acquireFileLock(node, lockPath, { staleMs: job.lockStaleMs, signal: AbortSignal.any([job.signal, timeout]) });
  } catch (error) {
    if (job.signal.aborted || !timeout.aborted) throw error;
    const problem = `not finished within the ${deadline.ms} ms deadline (deadlineMs), waiting for another process's download of ${job.file} (its lock file ${lockPath})`;
    throw new DownloadError({ url: job.fetchUrl, reason: 'deadline', problem });
  }
}

/**
 * Brings `job.url` into the cache at `job.file`, holding `<file>.lock` so that one process
 * downloads it at a time. Another process may have finished it while this one waited: the entry
 * is looked up again under the lock. A process that lost the lock while paused takes it again and
 * starts over from that lookup (which usually finds the other process's download).
 *
 * @returns whether the entry was found (true) rather than downloaded.
 */
export async function downloadToCache(node: NodeBuiltins, job: DiskJob): Promise<boolean> {
  for (let losses = 0; ; losses += 1) {
    const lock = await acquireLock(node, job);
    try {
      const found = await lookupCached(node, job.file, job.url, job.spec);
      if (found.kind === 'hit') return true;
      if (found.kind === 'corrupt') job.warn(found.error);
      await new Download(node, job, lock).run();
      return false;
    } catch (error) {
      if (!(error instanceof LockLostError) || losses >= MAX_LOCK_LOSSES) throw error;
    } finally {
      await lock.release();
    }
  }
}
