// --resume with overrides through the built trainer: more epochs extend a run whose schedule
// does not depend on the epoch count, exactly; a cosine schedule needs --reschedule; overrides
// that would change the run itself are refused naming the flag.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { assertBuilt, learned, readMetrics, runCli, tinyRecipe, writeTinyCifar } from '../testing/cli.js';

let dir = '';

async function ok(args: string[]): Promise<string> {
  const child = runCli(args, { cwd: dir });
  expect(await child.done, child.output()).toBe(0);
  return child.output();
}

async function refused(args: string[]): Promise<string> {
  const child = runCli(args, { cwd: dir });
  expect(await child.done, child.output()).toBe(1);
  const lines = child.stderr().trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

beforeAll(async () => {
  await assertBuilt();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'recipes-cli-resume-'));
  const data = await writeTinyCifar(path.join(dir, 'cifar'));
  const step = tinyRecipe(data, 8, { epochs: 1, schedule: { kind: 'step', stepEpochs: 1, gamma: 0.5, warmupEpochs: 1 } });
  await fs.writeFile(path.join(dir, 'step.json'), JSON.stringify(step));
  await fs.writeFile(path.join(dir, 'cosine.json'), JSON.stringify({ ...step, name: 'tiny-cosine', schedule: { kind: 'cosine' } }));
  await Promise.all([
    ok(['--recipe-file=step.json', '--out=runs/step']),
    ok(['--recipe-file=step.json', '--epochs=3', '--out=runs/step3']),
    ok(['--recipe-file=cosine.json', '--out=runs/cosine']),
  ]);
}, 120_000);
afterAll(async () => {
  if (dir !== '') await fs.rm(dir, { recursive: true, force: true });
});

describe('resnext-train --resume with overrides', () => {
  it('--epochs extends a finished step-schedule run to what a run of that length gives', async () => {
    const out = await ok(['--resume', '--out=runs/step', '--epochs=3']);
    expect(out).toContain('epochs 1 → 3');
    const [got, want] = [await readMetrics(path.join(dir, 'runs/step')), await readMetrics(path.join(dir, 'runs/step3'))];
    expect(got).toHaveLength(3);
    expect(got.map(learned)).toEqual(want.map(learned));
  }, 60_000);

  it('refuses --epochs on a cosine run unless --reschedule, naming both', async () => {
    expect(await refused(['--resume', '--out=runs/cosine', '--epochs=2'])).toMatch(
      /^RecipeConfigError: --epochs=2 on --resume would stretch the run's cosine schedule from 1 to 2 epochs, .* Pass --reschedule to accept that, or resume without --epochs\.$/,
    );
    const out = await ok(['--resume', '--out=runs/cosine', '--epochs=2', '--reschedule']);
    expect(out).toMatch(/epochs 1 → 2; the cosine schedule now spans them: lr at step 8 \S+ → \S+/);
    expect(await readMetrics(path.join(dir, 'runs/cosine'))).toHaveLength(2);
  }, 60_000);

  it('refuses overrides that change the run, naming the flag', async () => {
    expect(await refused(['--resume', '--out=runs/step3', '--batch-size=8'])).toMatch(/^RecipeConfigError: --batch-size cannot change a run in progress: .*batches of 4\. Start a new run/);
    expect(await refused(['--resume', '--out=runs/step3', '--seed=1'])).toMatch(/^RecipeConfigError: --seed cannot change/);
    expect(await refused(['--resume', '--out=runs/step3', '--epochs=2'])).toBe('RecipeConfigError: --epochs=2 is too few: the run has finished 3 epoch(s); pass --epochs=3 or more.');
  });

  it('says a finished run has nothing left without more epochs', async () => {
    expect(await ok(['--resume', '--out=runs/step3'])).toContain('the run has finished its 3 epoch(s)');
  });
});
