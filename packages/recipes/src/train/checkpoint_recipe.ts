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
    // A BigInt until checked against the file: a hostile length need not fit a double exactly.
    const declared = bytesRead === 8 ? head.readBigUInt64LE(0) : -1n;
    const { size } = await handle.stat();
    if (declared < 2n || declared > BigInt(size - 8)) throw new CheckpointError(`${file} is not a safetensors file (header length ${declared}, file ${size} bytes).`);
    const length = Number(declared);
    const header = Buffer.alloc(length);
    await handle.read(header, 0, length, 8);
    const json = (text: string, what: string): unknown => {
      try {
        return JSON.parse(text) as unknown;
      } catch (err) {
        throw new CheckpointError(`${file} is damaged: its ${what} is not valid JSON (${(err as Error).message}).`);
      }
    };
    const parsed = json(header.toString('utf8'), 'header') as { __metadata__?: Record<string, unknown> } | null;
    const meta = typeof parsed === 'object' && parsed !== null ? parsed.__metadata__ : undefined;
    const config = meta?.['config'];
    const state = meta?.['state'];
    if (typeof config !== 'string' || typeof state !== 'string') throw new CheckpointError(`${file} is not a recipes checkpoint (no recipe or state in its metadata).`);
    return { config: json(config, 'recipe') as RecipeConfig, state: json(state, 'state') as TrainState };
  } finally {
    await handle.close();
  }
}
