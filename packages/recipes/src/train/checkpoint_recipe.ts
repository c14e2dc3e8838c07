import * as fs from 'node:fs/promises';
import { CheckpointError } from '../checkpoint/checkpoint.js';
import type { RecipeConfig } from '../config/recipe_config.js';

/**
 * The recipe stored in a checkpoint, read from the safetensors header alone (an 8-byte
 * little-endian length, then JSON whose `__metadata__.config` holds the recipe). The trainer needs
 * it before any tensor exists: the recipe names the backend, and tfjs has none registered until
 * it is selected (a fresh process that resumes would otherwise fail in `tf.tensor`).
 */
export async function readCheckpointRecipe(file: string): Promise<RecipeConfig> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (err) {
    throw new CheckpointError(`No checkpoint to resume from at ${file} (${(err as Error).message}).`);
  }
  try {
    const head = Buffer.alloc(8);
    const { bytesRead } = await handle.read(head, 0, 8, 0);
    const length = bytesRead === 8 ? Number(head.readBigUInt64LE(0)) : -1;
    const { size } = await handle.stat();
    if (length < 2 || length > size - 8) throw new CheckpointError(`${file} is not a safetensors file (header length ${length}, file ${size} bytes).`);
    const header = Buffer.alloc(length);
    await handle.read(header, 0, length, 8);
    const meta = (JSON.parse(header.toString('utf8')) as { __metadata__?: Record<string, string> }).__metadata__;
    const config = meta?.['config'];
    if (config === undefined) throw new CheckpointError(`${file} is not a recipes checkpoint (no recipe in its metadata).`);
    return JSON.parse(config) as RecipeConfig;
  } finally {
    await handle.close();
  }
}
