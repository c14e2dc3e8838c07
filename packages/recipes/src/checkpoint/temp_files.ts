// The temporary files of atomic writes: their names, the ones this process is writing now, and
// the removal of those left behind by a writer that died (killed mid-write, a crash, power loss).
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/** `.<name>.<pid>.tmp`: the writer's pid in the name is what tells a live writer's file from an orphan. */
const TEMP_NAME = /^\.(.+)\.([1-9][0-9]*)\.tmp$/;

/** Temporary files this process has open for writing: a pid of ours alone does not mean the file is ours (a container restarts with the same pids). */
const writing = new Map<string, number>();

/** The temporary file `writeFileAtomic` writes `file` through, for the process `pid`. */
export function tempFileFor(file: string, pid = process.pid): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${pid}.tmp`);
}

/** Marks `tmp` as being written by this process until the returned function is called. */
export function claimTempFile(tmp: string): () => void {
  const key = path.resolve(tmp);
  // Counted: two writes of the same file at once share the name.
  writing.set(key, (writing.get(key) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (writing.get(key) ?? 1) - 1;
    if (left > 0) writing.set(key, left);
    else writing.delete(key);
  };
}

/** Whether a process with this pid exists (EPERM: it does, under another user). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A removed temporary file and its size in bytes. */
export interface RemovedTempFile {
  /** Its path. */
  file: string;
  /** Its size when it was removed: the disk space given back. */
  bytes: number;
}

/**
 * Removes the temporary files of atomic writes in `dir` whose writer is gone: named
 * `.<name>.<pid>.tmp` with no process of that pid alive, or with this process's pid but not being
 * written by it (a restart that reused the pid). A live writer's file is left alone, so is
 * anything not named that way and anything that is not a regular file. A missing `dir` removes
 * nothing. A pid reused by an unrelated live process keeps its file until that process ends;
 * only processes on this machine are seen, so a directory written by runs on several machines at
 * once (a network file system) must not be cleaned this way.
 */
export async function removeOrphanedTempFiles(dir: string): Promise<RemovedTempFile[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const removed: RemovedTempFile[] = [];
  for (const name of names) {
    const match = TEMP_NAME.exec(name);
    if (match === null) continue;
    const pid = Number(match[2]);
    const file = path.join(dir, name);
    if (pid === process.pid ? writing.has(path.resolve(file)) : !Number.isSafeInteger(pid) || isAlive(pid)) continue;
    const stat = await fs.lstat(file).catch(() => undefined);
    if (stat === undefined || !stat.isFile()) continue;
    // Gone already (another run cleaning the same directory) is as good as removed.
    await fs.rm(file, { force: true });
    removed.push({ file, bytes: stat.size });
  }
  return removed;
}

/**
 * Removes the orphaned temporary files of a run directory and of its checkpoints folder (see
 * {@link removeOrphanedTempFiles}), telling `note` of each: a run killed while writing leaves its
 * temporary file behind (a checkpoint's is hundreds of MB for ImageNet recipes); a live writer's
 * (another run in this directory) stays. Both engines call it before they start.
 */
export async function removeOrphanedRunTempFiles(runDir: string, checkpointsDir: string, note: (text: string) => void): Promise<void> {
  for (const dir of [runDir, checkpointsDir]) {
    for (const { file, bytes } of await removeOrphanedTempFiles(dir)) note(`removed ${file} (${(bytes / 1e6).toFixed(1)} MB), left by an interrupted write`);
  }
}
