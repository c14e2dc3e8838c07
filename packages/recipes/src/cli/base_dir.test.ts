import { describe, expect, it } from 'vitest';
import { baseDir } from './base_dir.js';

const nx = { NX_TASK_TARGET_PROJECT: 'recipes', NX_WORKSPACE_ROOT: '/repo', INIT_CWD: '/repo/docs' };

describe('baseDir', () => {
  it('is the working directory outside Nx, INIT_CWD or not (an npm script runs in its package)', () => {
    expect(baseDir(undefined, {}, '/home/me')).toEqual({ dir: '/home/me', source: 'cwd' });
    expect(baseDir(undefined, { INIT_CWD: '/elsewhere' }, '/repo/packages/recipes')).toEqual({ dir: '/repo/packages/recipes', source: 'cwd' });
  });

  it('is the directory npx nx ran in, for the Nx target (started in the workspace root)', () => {
    expect(baseDir(undefined, nx, '/repo')).toEqual({ dir: '/repo/docs', source: 'nx-init-cwd' });
  });

  it("follows Nx's own --cwd, which starts the target elsewhere", () => {
    expect(baseDir(undefined, nx, '/repo/fixtures')).toEqual({ dir: '/repo/fixtures', source: 'nx-cwd' });
  });

  it('takes --cwd first, relative to the working directory', () => {
    expect(baseDir('runs', nx, '/repo')).toEqual({ dir: '/repo/runs', source: 'flag' });
    expect(baseDir('/abs', {}, '/home/me')).toEqual({ dir: '/abs', source: 'flag' });
  });
});
