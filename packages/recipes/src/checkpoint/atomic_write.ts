import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/**
 * Writes `data` to `file` so that a reader (or a run killed at any instant, even by SIGKILL) sees
 * either the old file or the complete new one: write a temporary file in the same directory,
 * fsync it, rename it over the target (atomic on POSIX), then fsync the directory so the rename
 * itself survives a crash.
 */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, file);
  const dirHandle = await fs.open(dir, 'r');
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
}
