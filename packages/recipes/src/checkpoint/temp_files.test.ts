// Temporary files of atomic writes left by writers that died: written by real child processes
// killed (SIGKILL) in the middle of writeFileAtomic, then removed by the next run while a live
// writer's file stays. The children run the built shared writer (@resnext/layers' dist/), so the `test` target depends on `build`.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ImageSource } from '../data/source.js';
import { train } from '../train/trainer.js';
import { removeOrphanedTempFiles, tempFileFor, writeFileAtomic } from '@resnext/layers/node-io';

// The shared writer as built (the package's dist), for the child processes.
const BUILT = pathToFileURL(createRequire(import.meta.url).resolve('@resnext/layers/node-io')).href;
const root = await fs.mkdtemp(path.join(os.tmpdir(), 'recipes-temp-files-'));
afterAll(() => fs.rm(root, { recursive: true, force: true }));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/**
 * A child process that starts writeFileAtomic(target, size bytes) and stops for good once the data
 * is written, before fsync and rename: the moment a kill leaves the temporary file behind.
 */
async function writerStuckBeforeRename(target: string, size: number): Promise<ChildProcess & { pid: number }> {
  const script = `
    import * as fs from 'node:fs/promises';
    const { writeFileAtomic } = await import(process.env.ATOMIC_WRITE);
    const probe = await fs.open(process.env.TARGET + '.probe', 'w');
    const FileHandle = Object.getPrototypeOf(probe);
    await probe.close();
    await fs.rm(process.env.TARGET + '.probe');
    FileHandle.sync = () => { process.stdout.write('written\\n'); setInterval(() => {}, 1000); return new Promise(() => {}); };
    await writeFileAtomic(process.env.TARGET, new Uint8Array(Number(process.env.SIZE)).fill(7));
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, ATOMIC_WRITE: BUILT, TARGET: target, SIZE: String(size) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('written') && resolve());
    child.on('exit', (code) => reject(new Error(`writer exited (${code}) before writing: ${stderr}`)));
  });
  return child as ChildProcess & { pid: number };
}

async function killed(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

const exists = (file: string) => fs.access(file).then(() => true, () => false);

describe('removeOrphanedTempFiles', () => {
  it("removes the file of a writer killed mid-write, keeps a live writer's file and the target", async () => {
    const dir = await fs.mkdtemp(path.join(root, 'kill-'));
    const target = path.join(dir, 'last.safetensors');
    await fs.writeFile(target, 'previous checkpoint');
    const dead = await writerStuckBeforeRename(target, 4_000_000);
    const live = await writerStuckBeforeRename(target, 1000);
    await killed(dead);
    const orphan = tempFileFor(target, dead.pid);
    expect(path.basename(orphan)).toBe(`.last.safetensors.${dead.pid}.tmp`);
    expect((await fs.stat(orphan)).size).toBe(4_000_000);

    expect(await removeOrphanedTempFiles(dir)).toEqual([{ file: orphan, bytes: 4_000_000 }]);
    expect(await exists(orphan)).toBe(false);
    expect(await exists(tempFileFor(target, live.pid))).toBe(true);
    expect(await fs.readFile(target, 'utf8')).toBe('previous checkpoint');

    // Once the live writer dies too, its file goes.
    await killed(live);
    expect(await removeOrphanedTempFiles(dir)).toEqual([{ file: tempFileFor(target, live.pid), bytes: 1000 }]);
    expect((await fs.readdir(dir)).sort()).toEqual(['last.safetensors']);
  });

  it("this process's pid: removed unless this process is writing the file now (a restart reuses pids)", async () => {
    const dir = await fs.mkdtemp(path.join(root, 'own-'));
    const leftover = tempFileFor(path.join(dir, 'model.safetensors'));
    await fs.writeFile(leftover, 'x');
    // A write of ours in progress: held between its data and its fsync.
    const target = path.join(dir, 'metrics.csv');
    const probe = await fs.open(path.join(dir, 'probe'), 'w');
    const FileHandle = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
    await probe.close();
    await fs.rm(path.join(dir, 'probe'));
    const sync = FileHandle.sync;
    let resume = () => undefined as void;
    let reached = () => undefined as void;
    const atSync = new Promise<void>((resolve) => (reached = resolve));
    FileHandle.sync = function (this: unknown) {
      reached();
      return new Promise<void>((resolve) => (resume = resolve)).then(() => sync.call(this));
    };
    const writing = writeFileAtomic(target, 'a,b\n');
    try {
      await atSync;
      expect(await removeOrphanedTempFiles(dir)).toEqual([{ file: leftover, bytes: 1 }]);
      expect(await exists(tempFileFor(target))).toBe(true);
    } finally {
      FileHandle.sync = sync;
      resume();
      await writing;
    }
    expect((await fs.readdir(dir)).sort()).toEqual(['metrics.csv']);
  });

  it('leaves alone what is not a temporary file of an atomic write, and a missing directory', async () => {
    const dir = await fs.mkdtemp(path.join(root, 'other-'));
    const keep = ['.last.safetensors.tmp', 'last.safetensors.999999999.tmp', '.x.0.tmp', '.x.12ab.tmp', 'notes.txt'];
    for (const name of keep) await fs.writeFile(path.join(dir, name), '');
    // A directory named like a temporary file, of a dead pid.
    await fs.mkdir(path.join(dir, '.x.999999999.tmp'));
    expect(await removeOrphanedTempFiles(dir)).toEqual([]);
    expect((await fs.readdir(dir)).sort()).toEqual([...keep, '.x.999999999.tmp'].sort());
    expect(await removeOrphanedTempFiles(path.join(dir, 'missing'))).toEqual([]);
  });
});

function source(n: number): ImageSource {
  return {
    name: 'stripes', size: n, numClasses: 2, classNames: ['h', 'v'], shape: [8, 8, 1],
    read: (i: number) => Promise.resolve({ pixels: new Uint8Array(64).fill(i % 2 ? 200 : 20), height: 8, width: 8, channels: 1, label: i % 2 }),
  };
}

describe('train() cleans its run directory first', () => {
  it('removes a killed run\'s checkpoint temp file (and says so), keeps a live writer\'s', async () => {
    const out = path.join(await fs.mkdtemp(path.join(root, 'run-')), 'run');
    const checkpoint = path.join(out, 'checkpoints', 'last.safetensors');
    await fs.mkdir(path.dirname(checkpoint), { recursive: true });
    const dead = await writerStuckBeforeRename(checkpoint, 2_000_000);
    await killed(dead);
    const live = await writerStuckBeforeRename(path.join(out, 'model.safetensors'), 10);
    const lines: string[] = [];
    await train(
      {
        name: 'stub', description: 'stub',
        model: { name: 'tiny', config: { name: 'tiny', block: 'bottleneck', blocksPerStage: [1], cardinality: 2, baseWidth: 32, stagePlanes: [4], expansion: 2, stem: 'cifar', stemWidth: 8, defaultInputSize: 8, origin: 'test' }, inputShape: [8, 8, 1], numClasses: 2 },
        dataset: { kind: 'cifar10' }, trainTransform: [], evalTransform: [], batchSize: 4, epochs: 1,
        optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0, noDecayOnBnAndBias: true },
        schedule: { kind: 'cosine', warmupEpochs: 0 }, labelSmoothing: 0, mixup: 0, cutmix: 0, ema: null, gradAccumulation: 1,
        seed: 1, backend: { name: 'wasm', threads: 1 }, checkpointEverySteps: 0, finetune: null,
      },
      { out, progress: { write: (text: string) => lines.push(text) > 0 }, sources: { train: source(8), test: source(4) } },
    );
    expect(await exists(tempFileFor(checkpoint, dead.pid))).toBe(false);
    expect(lines.join('')).toContain(`removed ${tempFileFor(checkpoint, dead.pid)} (2.0 MB), left by an interrupted write`);
    expect(await exists(tempFileFor(path.join(out, 'model.safetensors'), live.pid))).toBe(true);
    expect(await exists(checkpoint)).toBe(true);
  }, 60_000);
});
