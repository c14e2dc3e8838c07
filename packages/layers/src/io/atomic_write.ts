/**
 * Atomic file writes for Node, and the removal of the temporary files a killed writer leaves
 * behind. One writer for every package: checkpoints, exported models, the weights cache.
 */
import { nodeBuiltins, type NodeBuiltins } from './node_builtins.js';

/**
 * `.<name>.<pid>.tmp`, or `.<name>.<pid>-<threadId>.tmp` from a worker thread (threads share
 * their process's pid): the writer's pid in the name tells a live writer's file from an orphan.
 */
const TEMP_NAME = /^\.(.+)\.([1-9][0-9]*)(?:-([1-9][0-9]*))?\.tmp$/;

/** Resolved paths of the temporary files this thread is writing now. */
const writing = new Set<string>();

/** The write of each resolved target now in progress: later writes of the same file wait for it. */
const queued = new Map<string, Promise<void>>();

function temporaryName(file: string, pid: number, threadId: number): string {
  const at = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1;
  return `${file.slice(0, at)}.${file.slice(at)}.${pid}${threadId === 0 ? '' : `-${threadId}`}.tmp`;
}

/**
 * The temporary file {@link writeFileAtomic} writes `file` through in the main thread of the
 * process `pid` (by default this one): `.<name>.<pid>.tmp` in the same directory.
 */
export function tempFileFor(file: string, pid: number = process.pid): string {
  return temporaryName(file, pid, 0);
}

/**
 * Writes `data` to `file` so that a reader, or a process killed at any instant (even by SIGKILL),
 * sees either the old file or the complete new one: a temporary file in the same directory
 * ({@link tempFileFor}) is written and fsynced, renamed over `file` (atomic on POSIX), then the
 * directory is fsynced so the rename itself survives a crash (Windows has no directory fsync).
 * A write that fails removes its temporary file; one killed before the rename leaves it for
 * {@link removeOrphanedTempFiles}. Writes of the same file from this thread run one after the
 * other, in call order, so the last call wins. Node only.
 */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const node = await nodeBuiltins();
  const key = node.path.resolve(file);
  const write = (queued.get(key) ?? Promise.resolve()).then(() => writeNow(node, file, data));
  const settled = write.catch(() => undefined);
  queued.set(key, settled);
  try {
    await write;
  } finally {
    if (queued.get(key) === settled) queued.delete(key);
  }
}

async function writeNow({ fsp, path, workerThreads }: NodeBuiltins, file: string, data: Uint8Array | string): Promise<void> {
  const tmp = temporaryName(file, process.pid, workerThreads.threadId);
  const claimed = path.resolve(tmp);
  writing.add(claimed);
  try {
    const handle = await fsp.open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fsp.rename(tmp, file);
  } catch (error) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw error;
  } finally {
    writing.delete(claimed);
  }
  if (process.platform === 'win32') return;
  const dir = await fsp.open(path.dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
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
 * Removes the temporary files of {@link writeFileAtomic} in `dir` whose writer is gone: named
 * `.<name>.<pid>.tmp` with no process of that pid alive, or with this process's pid but not being
 * written by this thread (a restart that reused the pid). A live writer's file is left alone, so
 * is another worker thread's of this process, anything not named that way and anything that is
 * not a regular file. A missing `dir` removes nothing. A pid reused by an unrelated live process
 * keeps its file until that process ends; only processes on this machine are seen, so a directory
 * written by processes on several machines at once (a network file system) must not be cleaned
 * this way. Node only.
 */
export async function removeOrphanedTempFiles(dir: string): Promise<RemovedTempFile[]> {
  const { fsp, path, workerThreads } = await nodeBuiltins();
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const removed: RemovedTempFile[] = [];
  for (const name of names) {
    const match = TEMP_NAME.exec(name);
    if (match === null) continue;
    const pid = Number(match[2]);
    const threadId = Number(match[3] ?? 0);
    const file = path.join(dir, name);
    const live =
      pid === process.pid
        ? threadId !== workerThreads.threadId || writing.has(path.resolve(file))
        : !Number.isSafeInteger(pid) || isAlive(pid);
    if (live) continue;
    const stat = await fsp.lstat(file).catch(() => undefined);
    if (stat === undefined || !stat.isFile()) continue;
    // Gone already (another process cleaning the same directory) is as good as removed.
    await fsp.rm(file, { force: true });
    removed.push({ file, bytes: stat.size });
  }
  return removed;
}
