import { open, stat } from 'node:fs/promises';
import { sniffImageFormat } from '@resnext/pretrained';
import { systemProblem } from '../errors/system_problem.js';

/** Bytes read from the start of a file to recognise its image format (WebP needs 12). */
const HEAD_BYTES = 16;

/**
 * Checks that `path` names a readable JPEG, PNG or WebP file, reading only its first bytes, and
 * returns the problem in a few words, or undefined when it looks like an image. Decoding errors of
 * the rest of the file only show when the image is classified.
 */
async function checkImagePath(path: string): Promise<string | undefined> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) return 'is a directory, not an image';
    if (!info.isFile()) return 'not a regular file';
    if (info.size === 0) return 'empty file';
    const handle = await open(path, 'r');
    try {
      const head = new Uint8Array(HEAD_BYTES);
      const { bytesRead } = await handle.read(head, 0, HEAD_BYTES, 0);
      if (sniffImageFormat(head.subarray(0, bytesRead)) === undefined) return 'not a JPEG, PNG or WebP image';
    } finally {
      await handle.close();
    }
    return undefined;
  } catch (error) {
    const problem = systemProblem(error);
    if (problem === undefined) throw error;
    return problem;
  }
}

/** The paths that look like images, and the problem of each other one, in the order given. */
export async function checkImagePaths(paths: readonly string[]): Promise<{ good: string[]; bad: { input: string; problem: string }[] }> {
  const good: string[] = [];
  const bad: { input: string; problem: string }[] = [];
  for (const path of paths) {
    const problem = await checkImagePath(path);
    if (problem === undefined) good.push(path);
    else bad.push({ input: path, problem });
  }
  return { good, bad };
}
