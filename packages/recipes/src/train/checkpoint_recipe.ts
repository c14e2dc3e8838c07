import * as fs from 'node:fs/promises';
import { CheckpointError, type TrainState } from '../checkpoint/checkpoint.js';
import type { RecipeConfig } from '../config/recipe_config.js';

/** The JSON part of a checkpoint: the recipe it runs and where it stands. */
export interface CheckpointHeader {
  config: RecipeConfig;
  state: TrainState;
}

/**
 * The recipe and state stored in a checkpoint, read from the safetensors header alone (an 8-byte
 * little-endian length, then JSON whose `__metadata__` holds them). The trainer needs them before
 * any tensor exists: the recipe names the backend, and tfjs has none registered until it is
 * selected (a fresh process that resumes would otherwise fail in `tf.tensor`).
 */
export async function readCheckpointHeader(file: string): Promise<CheckpointHeader> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new CheckpointError(`No checkpoint to resume from: ${file} ${missing ? 'does not exist' : `cannot be read (${(err as Error).message})`}.`);
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
    const state = meta?.['state'];
    if (config === undefined || state === undefined) throw new CheckpointError(`${file} is not a recipes checkpoint (no recipe or state in its metadata).`);
    return { config: JSON.parse(config) as RecipeConfig, state: JSON.parse(state) as TrainState };
  } finally {
    await handle.close();
  }
}

/** The recipe stored in a checkpoint (see {@link readCheckpointHeader}). */
export async function readCheckpointRecipe(file: string): Promise<RecipeConfig> {
  return (await readCheckpointHeader(file)).config;
}
