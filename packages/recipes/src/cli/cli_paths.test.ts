// Relative paths on the command line start where the user ran the command: INIT_CWD when the
// trainer runs as the Nx target (which starts it in the workspace root), --cwd when given.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { assertBuilt, plainEnv, runCli, tinyRecipe, writeTinyCifar } from '../testing/cli.js';

let root = '';
let invoked = '';

beforeAll(async () => {
  await assertBuilt();
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'recipes-cli-paths-'));
  invoked = path.join(root, 'work', 'here');
  await writeTinyCifar(path.join(invoked, 'data'));
  // dataset.dir relative to the recipe file's folder.
  await fs.writeFile(path.join(invoked, 'tiny.json'), JSON.stringify(tinyRecipe('data', 4, { epochs: 1, checkpointEverySteps: 0 })));
});
afterAll(async () => {
  if (root !== '') await fs.rm(root, { recursive: true, force: true });
});

const exists = (p: string) => fs.access(p).then(() => true, () => false);

describe('resnext-train paths', () => {
  it('as the Nx target: --recipe-file and --out from INIT_CWD, not from the workspace root it runs in', async () => {
    const env = plainEnv({ NX_TASK_TARGET_PROJECT: 'recipes', NX_WORKSPACE_ROOT: root, INIT_CWD: invoked });
    const child = runCli(['--recipe-file=tiny.json', '--out=runs/quick'], { cwd: root, env });
    expect(await child.done, child.output()).toBe(0);
    expect(await exists(path.join(invoked, 'runs/quick/model.safetensors'))).toBe(true);
    expect(await exists(path.join(root, 'runs'))).toBe(false);
    expect(child.stdout()).toContain('resume with: npx nx run recipes:train --resume --out=runs/quick');
  }, 60_000);

  it('--cwd: the directory relative paths start from, --data-dir included', async () => {
    const child = runCli(['--cwd', invoked, '--recipe-file=tiny.json', '--data-dir=data', '--out=runs/cwd'], { cwd: root });
    expect(await child.done, child.output()).toBe(0);
    expect(await exists(path.join(invoked, 'runs/cwd/model.safetensors'))).toBe(true);
    const config = JSON.parse(await fs.readFile(path.join(invoked, 'runs/cwd/config.json'), 'utf8')) as { dataset: { dir: string } };
    expect(config.dataset.dir).toBe(path.join(invoked, 'data'));
    // Once --cwd moved the base, suggested paths are absolute.
    expect(child.stdout()).toContain(`--resume --out=${path.join(invoked, 'runs/cwd')}`);
  }, 60_000);

  it('a new run refuses a directory that holds one, with the command that resumes it', async () => {
    const child = runCli(['--cwd', invoked, '--recipe-file=tiny.json', '--out=runs/cwd'], { cwd: root });
    expect(await child.done).toBe(1);
    expect(child.stderr().trimEnd()).toMatch(/^CheckpointError: \S+runs\/cwd already holds a run; resume it with: node \S+ --resume --out=\S+runs\/cwd \(or pass another --out\)\.$/);
  });
});
