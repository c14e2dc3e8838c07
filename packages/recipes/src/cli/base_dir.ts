import * as path from 'node:path';

/** Where relative paths start from, and why. */
export interface BaseDir {
  dir: string;
  /**
   * `flag`: `--cwd`. `nx-init-cwd`: run as an Nx task, the directory the Nx command ran in
   * (`INIT_CWD`, which npx and npm set). `nx-cwd`: run as an Nx task that Nx's own `--cwd`
   * moved. `cwd`: the process's working directory.
   */
  source: 'flag' | 'nx-init-cwd' | 'nx-cwd' | 'cwd';
}

/**
 * The directory relative paths on the command line resolve against.
 *
 * - `--cwd <dir>` (resolved against the working directory) when given;
 * - as an Nx task (`NX_TASK_TARGET_PROJECT` is set) the `recipes:train` target starts the
 *   trainer in the workspace root, and `INIT_CWD` holds the directory the user ran `npx nx` in:
 *   that one. When the working directory is not the workspace root, Nx's own `--cwd` (which the
 *   run-commands executor consumes, resolved against the workspace root) moved it: that one;
 * - otherwise the working directory (a plain `node dist/cli/train.js`, the `resnext-train` bin,
 *   an npm script).
 */
export function baseDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): BaseDir {
  if (flag !== undefined) return { dir: path.resolve(cwd, flag), source: 'flag' };
  const initCwd = env['INIT_CWD'];
  if (env['NX_TASK_TARGET_PROJECT'] !== undefined && initCwd !== undefined && initCwd !== '') {
    const root = env['NX_WORKSPACE_ROOT'];
    if (root !== undefined && path.resolve(root) !== path.resolve(cwd)) return { dir: path.resolve(cwd), source: 'nx-cwd' };
    return { dir: path.resolve(initCwd), source: 'nx-init-cwd' };
  }
  return { dir: path.resolve(cwd), source: 'cwd' };
}
