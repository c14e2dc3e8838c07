// The built trainer as a child process: a bad recipe file and a folder without a run each give
// one line naming the file (and field, or line and column) and what to do; exit 1.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { getRecipe } from '../catalog/registry.js';
import { assertBuilt, runCli } from '../testing/cli.js';

let dir = '';
beforeAll(async () => {
  await assertBuilt();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'recipes-cli-errors-'));
});
afterAll(async () => {
  if (dir !== '') await fs.rm(dir, { recursive: true, force: true });
});

/** Runs the CLI in `dir`; expects exit 1 and exactly one line on stderr, which it returns. */
async function oneLine(args: string[]): Promise<string> {
  const child = runCli(args, { cwd: dir });
  expect(await child.done, child.output()).toBe(1);
  const lines = child.stderr().trimEnd().split('\n');
  expect(lines, child.stderr()).toHaveLength(1);
  return lines[0]!;
}

describe('resnext-train errors', () => {
  it('names the recipe file and the missing or mistyped field', async () => {
    const { epochs: _e, ...noEpochs } = getRecipe('fashion-mnist-resnext');
    await fs.writeFile(path.join(dir, 'missing.json'), JSON.stringify(noEpochs, null, 2));
    expect(await oneLine(['--recipe-file=missing.json'])).toBe(`RecipeFileError: ${path.join(dir, 'missing.json')}: epochs is missing (a number).`);
    await fs.writeFile(path.join(dir, 'type.json'), JSON.stringify({ ...getRecipe('fashion-mnist-resnext'), optimizer: { kind: 'sgd', lr: '0.1' } }));
    expect(await oneLine(['--recipe-file', 'type.json'])).toBe(`RecipeFileError: ${path.join(dir, 'type.json')}: optimizer.lr must be a number, got "0.1".`);
  });

  it('gives the file, line and column of bad JSON', async () => {
    await fs.writeFile(path.join(dir, 'bad.json'), '{\n  "name": "x",\n  "epochs": 3,\n}\n');
    expect(await oneLine(['--recipe-file=bad.json'])).toBe(`RecipeFileError: ${path.join(dir, 'bad.json')}:4:1: not valid JSON: Expected double-quoted property name.`);
  });

  it('says a folder holds no run to resume, and how to start one', async () => {
    expect(await oneLine(['--resume', '--out=runs/none'])).toMatch(
      /^CheckpointError: runs\/none does not exist, so there is no run to resume; start one with: node \S+train\.js --recipe=<name> --out=runs\/none$/,
    );
    await fs.mkdir(path.join(dir, 'runs', 'empty'), { recursive: true });
    expect(await oneLine(['--resume', '--out', 'runs/empty', '--recipe=fashion-mnist-resnext'])).toMatch(
      /^CheckpointError: runs\/empty holds no run to resume \(no checkpoints\/last\.safetensors\); start one with: node \S+ --recipe=fashion-mnist-resnext --out=runs\/empty$/,
    );
  });
});
