// SIGINT and SIGTERM sent to the built trainer: it finishes the step in progress, writes a
// checkpoint, the metrics and plot of the epoch so far, prints the exact command that resumes,
// and exits 130 / 143. The printed command, run as printed, ends where an uninterrupted run ends.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readSafetensors } from '@resnext/pretrained';

import type { TrainState } from '../checkpoint/checkpoint.js';
import { CLI, assertBuilt, learned, readMetrics, runCli, tinyFashionMnistRecipe, writeTinyFashionMnist } from '../testing/cli.js';

const STEPS = 40;
let dir = '';

beforeAll(async () => {
  await assertBuilt();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'recipes-cli-signal-'));
  // Images in memory and no periodic checkpoints: a step does no I/O, so only a trainer that
  // gives the event loop a turn sees the signal before the end of the epoch.
  const data = await writeTinyFashionMnist(path.join(dir, 'fmnist'), 4 * STEPS);
  await fs.writeFile(path.join(dir, 'recipe.json'), JSON.stringify(tinyFashionMnistRecipe(data, STEPS, { epochs: 4, checkpointEverySteps: 0 })));
});
afterAll(async () => {
  if (dir !== '') await fs.rm(dir, { recursive: true, force: true });
});

async function checkpointState(runDir: string): Promise<TrainState> {
  const file = path.join(runDir, 'checkpoints', 'last.safetensors');
  return JSON.parse(readSafetensors(await fs.readFile(file), file).metadata['state']!) as TrainState;
}

/** Starts a run in `dir` that receives `signal` when it reports epoch 1's step 8. */
function interrupted(out: string, signal: NodeJS.Signals) {
  let sent = false;
  return runCli(['--recipe-file=recipe.json', `--out=${out}`], {
    cwd: dir,
    onLine: (line, child) => {
      if (!sent && line.startsWith(`epoch 1/4 step 8/${STEPS}`)) {
        sent = true;
        child.kill(signal);
      }
    },
  });
}

describe('resnext-train interrupted', () => {
  it('SIGINT: checkpoint, epoch so far, the resume command, exit 130; the command resumes to the uninterrupted result', async () => {
    const reference = runCli(['--recipe-file=recipe.json', '--out=runs/reference'], { cwd: dir });
    const child = interrupted('runs/quick', 'SIGINT');
    expect(await child.done, child.output()).toBe(130);

    const resume = `node ${CLI} --resume --out=runs/quick`;
    expect(child.stdout().split('\n')[0]).toBe(`run directory runs/quick; Ctrl-C stops after the current step with a checkpoint; resume with: ${resume}`);
    const stderr = child.stderr();
    expect(stderr).toContain('SIGINT: finishing the current step, then writing a checkpoint');
    const stopped = /^stopped by SIGINT at epoch 1, step (\d+)\/40; checkpoint runs\/quick\/checkpoints\/last\.safetensors$/m.exec(stderr);
    expect(stopped, stderr).not.toBeNull();
    expect(stderr.trimEnd().split('\n').at(-1)).toBe(`resume with: ${resume}`);
    expect(stderr).not.toMatch(/^\s+at /m);

    // The step in progress finished: the checkpoint is where the message says, past the signal.
    const step = Number(stopped![1]);
    expect(step).toBeGreaterThanOrEqual(8);
    // Handled at once, not at the next I/O (the end of the epoch here).
    expect(step).toBeLessThan(STEPS);
    const state = await checkpointState(path.join(dir, 'runs/quick'));
    expect([state.epoch, state.loaderStep]).toEqual([0, step]);
    const sofar = await readMetrics(path.join(dir, 'runs/quick'));
    expect(sofar).toEqual([expect.objectContaining({ epoch: step / STEPS, partial: true })]);
    expect(await fs.readFile(path.join(dir, 'runs/quick/plot.svg'), 'utf8')).toContain(`(epoch 1 in progress, ${Math.round((100 * step) / STEPS)}%)`);

    // Run the printed command as printed, from the same directory.
    const [node, script, ...args] = resume.split(' ');
    expect([node, script]).toEqual(['node', CLI]);
    const resumed = runCli(args, { cwd: dir });
    expect(await resumed.done, resumed.output()).toBe(0);
    expect(resumed.stdout()).toContain(`resumed at epoch 1, step ${step}/${STEPS}`);
    expect(await reference.done, reference.output()).toBe(0);
    const [got, want] = [await readMetrics(path.join(dir, 'runs/quick')), await readMetrics(path.join(dir, 'runs/reference'))];
    expect(want).toHaveLength(4);
    expect(got.map(learned)).toEqual(want.map(learned));
  }, 120_000);

  it('SIGTERM: checkpoint and exit 143', async () => {
    const child = interrupted('runs/term', 'SIGTERM');
    expect(await child.done, child.output()).toBe(143);
    expect(child.stderr()).toMatch(/^stopped by SIGTERM at epoch 1, step \d+\/40; checkpoint runs\/term\/checkpoints\/last\.safetensors$/m);
    const { loaderStep } = await checkpointState(path.join(dir, 'runs/term'));
    expect(loaderStep).toBeGreaterThanOrEqual(8);
    expect(loaderStep).toBeLessThan(STEPS);
  }, 60_000);
});
