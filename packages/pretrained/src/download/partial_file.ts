/**
 * The partial file of one download, private to it. Two writers never share a file: a download
 * writes `<entry>.incomplete-<id>` (its own name), takes over an interrupted `<entry>.incomplete` by
 * renaming it to that name, and hands it back by renaming it again once closed. So a process that
 * lost its lock while paused can only ever write to a file nobody else uses.
 */
import { SIDECAR } from './cache_layout.js';
import type { NodeBuiltins } from './node_builtins.js';

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
    entry: string,
  ) {
    this.path = `${entry}${SIDECAR.writing}${node.crypto.randomUUID().slice(0, 13)}`;
    this.validator = `${this.path}.validator`;
    this.kept = `${entry}${SIDECAR.incomplete}`;
    this.keptValidator = `${entry}${SIDECAR.validator}`;
  }

  /** Takes over the kept partial file, if any (the caller holds the entry's lock). */
  async claim(): Promise<void> {
    await move(this.node, this.keptValidator, this.validator);
    await move(this.node, this.kept, this.path);
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

  async discard(): Promise<void> {
    await this.node.fsp.rm(this.path, { force: true });
    await this.node.fsp.rm(this.validator, { force: true });
  }
}

/**
 * Removes other downloads' partial files of `entry` that were not written for `staleMs`: left by
 * a process that died, or by one paused so long that it lost its lock (and will not use them). The
 * caller holds the entry's lock.
 */
export async function removeAbandonedPartials(node: NodeBuiltins, entry: string, staleMs: number): Promise<void> {
  const dir = node.path.dirname(entry);
  const prefix = `${node.path.basename(entry)}${SIDECAR.writing}`;
  let names: string[];
  try {
    names = await node.fsp.readdir(dir);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw error;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const file = node.path.join(dir, name);
    const modified = await node.fsp.stat(file).then((s) => s.mtimeMs, () => undefined);
    if (modified !== undefined && Date.now() - modified > staleMs) await node.fsp.rm(file, { force: true }).catch(() => undefined);
  }
}
