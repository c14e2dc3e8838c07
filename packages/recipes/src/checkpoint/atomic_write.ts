import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { claimTempFile, tempFileFor } from './temp_files.js';

/**
 * Writes `data` to `file` so that a reader (or a run killed at any instant, even by SIGKILL) sees
 * either the old file or the complete new one: write a temporary file in the same directory,
 * fsync it, rename it over the target (atomic on POSIX), then fsync the directory so the rename
 * itself survives a crash. A writer killed before the rename leaves its temporary file
 * (`.<name>.<pid>.tmp`) behind; `removeOrphanedTempFiles` removes those of dead writers. A write
 * that fails (a full disk, say) removes its own.
 */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const dir = path.dirname(file);
  const tmp = tempFileFor(file);
  const release = claimTempFile(tmp);
  try {
    const handle = await fs.open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
  } catch (error) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw error;
  } finally {
    release();
  }
  const dirHandle = await fs.open(dir, 'r');
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
}
