/**
 * The partial file of one download, private to it. Two writers never share a file: a download
 * writes `<entry>.incomplete-<host>-<pid>-<random>` (its own name), takes over an interrupted
 * `<entry>.incomplete` by renaming it to that name, and hands it back by renaming it again once
 * closed. So a process that lost its lock while paused can only ever write to a file nobody else
 * uses. The file of a process that was killed (Ctrl-C, SIGKILL) before handing it back is taken
 * over too, once its pid is gone: a dead process writes nothing.
 */
import { SIDECAR } from './cache_layout.js';
import { processIsAlive } from './file_lock.js';
import type { NodeBuiltins } from '@resnext/layers/node-io';

const errorCode = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;

/** Renames, and says whether there was anything to rename. */
async function move(node: NodeBuiltins, from: string, to: string): Promise<boolean> {
  try {
    await node.fsp.rename(from, to);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}

/** One download's own partial file and validator, and the shared names they are kept under between downloads. */
export class PartialFile {
  /** The file this download writes. */
  readonly path: string;
  /** The validator (ETag or Last-Modified) of the response `path` came from. */
  readonly validator: string;
  /** Where an interrupted download is kept for the next one (`<entry>.incomplete`). */
  readonly kept: string;
  readonly keptValidator: string;

  constructor(
    readonly node: NodeBuiltins,
    readonly entry: string,
  ) {
    this.path = `${entry}${SIDECAR.writing}${hostTag(node)}-${process.pid}-${node.crypto.randomUUID().slice(0, 8)}`;
    this.validator = `${this.path}.validator`;
    this.kept = `${entry}${SIDECAR.incomplete}`;
    this.keptValidator = `${entry}${SIDECAR.validator}`;
  }

  /**
   * Takes over the kept partial file, else the largest one left by a dead process of this machine,
   * if any (the caller holds the entry's lock).
   */
  async claim(): Promise<void> {
    await move(this.node, this.keptValidator, this.validator);
    if (await move(this.node, this.kept, this.path)) return;
    const orphan = await largestOrphan(this.node, this.entry);
    if (orphan === undefined) return;
    await this.node.fsp.rm(this.validator, { force: true });
    if (await move(this.node, orphan, this.path)) await move(this.node, `${orphan}.validator`, this.validator);
  }

  /**
   * Keeps the (closed) partial file for the next download. The validator goes last: a crash in
   * between leaves a partial file without one, which is not resumed without a digest — never one
   * vouched for by another response's validator.
   */
  async putBack(): Promise<void> {
    await this.node.fsp.rm(this.keptValidator, { force: true });
    if (!(await move(this.node, this.path, this.kept))) return;
    await move(this.node, this.validator, this.keptValidator);
  }

  /**
   * Removes other downloads' partial files of the entry (and their validators) not written for
   * `staleMs`: left by a process that died, or by one paused so long that it lost its lock (and
   * will not use them). The caller holds the entry's lock and has claimed what it resumes.
   */
  async removeAbandoned(staleMs: number): Promise<void> {
    const dir = this.node.path.dirname(this.entry);
    const prefix = `${this.node.path.basename(this.entry)}${SIDECAR.writing}`;
    const own = this.node.path.basename(this.path);
    let names: string[];
    try {
      names = await this.node.fsp.readdir(dir);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return;
      throw error;
    }
    for (const name of names) {
      if (!name.startsWith(prefix) || name.startsWith(own)) continue;
      const file = this.node.path.join(dir, name);
      const modified = await this.node.fsp.stat(file).then((s) => s.mtimeMs, () => undefined);
      if (modified !== undefined && Date.now() - modified > staleMs) await this.node.fsp.rm(file, { force: true }).catch(() => undefined);
    }
  }

  async discard(): Promise<void> {
    await this.node.fsp.rm(this.path, { force: true });
    await this.node.fsp.rm(this.validator, { force: true });
  }
}

/** A short tag of this machine's name: partial files of other machines (a shared cache) are never taken over. */
function hostTag(node: NodeBuiltins): string {
  return node.crypto.createHash('sha256').update(node.os.hostname()).digest('hex').slice(0, 8);
}

/** Other downloads' partial files of `entry` (not their validators), with their names' parts. */
async function partialsOf(node: NodeBuiltins, entry: string): Promise<{ file: string; host: string; pid: number }[]> {
  const dir = node.path.dirname(entry);
  const prefix = `${node.path.basename(entry)}${SIDECAR.writing}`;
  let names: string[];
  try {
    names = await node.fsp.readdir(dir);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    throw error;
  }
  const found = [];
  for (const name of names) {
    const m = /^([0-9a-f]{8})-(\d+)-[0-9a-f]{8}$/.exec(name.startsWith(prefix) ? name.slice(prefix.length) : '');
    if (m !== null) found.push({ file: node.path.join(dir, name), host: m[1]!, pid: Number(m[2]) });
  }
  return found;
}

/** The largest partial file of `entry` whose writer, a process of this machine, no longer exists. */
async function largestOrphan(node: NodeBuiltins, entry: string): Promise<string | undefined> {
  let best: { file: string; size: number } | undefined;
  for (const { file, host, pid } of await partialsOf(node, entry)) {
    if (host !== hostTag(node) || pid === process.pid || processIsAlive(pid)) continue;
    const size = await node.fsp.stat(file).then((s) => s.size, () => -1);
    if (size > (best?.size ?? 0)) best = { file, size };
  }
  return best?.file;
}
