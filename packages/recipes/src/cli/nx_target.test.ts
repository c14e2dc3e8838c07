// The real `npx nx run recipes:train …` as a user types it, from a folder below the workspace
// root: what reaches the trainer, and where relative paths start. The test target depends on
// build, so the trainer's dist is current; --excludeTaskDependencies keeps Nx from building again.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PACKAGE = fileURLToPath(new URL('../..', import.meta.url));
const HERE = path.join(PACKAGE, 'src', 'cli');

/** A person's environment: no Nx task, Vitest or npm script variables. */
function personEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('NX_') || key.startsWith('VITEST') || key === 'INIT_CWD' || key.startsWith('npm_')) delete env[key];
  return Object.assign(env, { NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' });
}

/** Runs `npx nx run recipes:train <args>` in `cwd` with a person's environment, output to pipes. */
function nx(args: string[], cwd = HERE): Promise<{ code: number | null; output: string }> {
  const proc = spawn('npx', ['nx', 'run', 'recipes:train', '--excludeTaskDependencies', ...args], { cwd, env: personEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  return collect(proc);
}

/**
 * The same on a terminal (util-linux `script` gives it one), as a person types it. Needed for
 * `--help`: Nx prints the target command's own help and exits without waiting for its output to
 * drain, which loses it on a pipe but not on a terminal.
 */
function nxOnTerminal(args: string[], cwd = HERE): Promise<{ code: number | null; output: string }> {
  const command = ['npx', 'nx', 'run', 'recipes:train', '--excludeTaskDependencies', ...args].join(' ');
  const proc = spawn('script', ['-qec', command, '/dev/null'], { cwd, env: personEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  return collect(proc);
}

function collect(proc: ReturnType<typeof spawn>): Promise<{ code: number | null; output: string }> {
  let output = '';
  proc.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve, reject) => {
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ code, output }));
  });
}

describe('npx nx run recipes:train', () => {
  it("prints the trainer usage for --help (after Nx's own help of the target), `help` and `-- --help`", async () => {
    for (const args of [['help'], ['--', '--help']]) {
      const r = await nx(args);
      expect(r.code, r.output).toBe(0);
      expect(r.output).toContain('Usage: resnext-train --recipe <name> [options]');
    }
    // Nx answers --help itself: the executor's options, then `<the target's command> --help`.
    const bare = await nxOnTerminal(['--help']);
    expect(bare.code, bare.output).toBe(0);
    expect(bare.output).toContain('nx:run-commands');
    expect(bare.output).toContain('Usage: resnext-train --recipe <name> [options]');
    expect(bare.output.indexOf('Usage: resnext-train')).toBeGreaterThan(bare.output.indexOf('nx:run-commands'));
  }, 120_000);

  it('resolves a relative --recipe-file against the folder npx nx ran in', async () => {
    const r = await nx(['--recipe-file=no-such-recipe.json']);
    expect(r.code).toBe(1);
    expect(r.output).toContain(`RecipeFileError: Cannot read recipe file ${path.join(HERE, 'no-such-recipe.json')}: no such file.`);
  }, 60_000);

  it('passes a typo through to the trainer, which names the flag meant', async () => {
    const r = await nx(['--epoch=3']);
    expect(r.code).toBe(1); // Nx's exit code for a failed task; the trainer's own is 2
    expect(r.output).toContain("resnext-train: unknown option '--epoch'. Did you mean --epochs?");
  }, 60_000);
});
