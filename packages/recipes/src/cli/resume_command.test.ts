import { describe, expect, it } from 'vitest';
import { displayPath, resumeCommand, startCommand } from './resume_command.js';

const script = '/repo/packages/recipes/dist/cli/train.js';

describe('resumeCommand', () => {
  it('repeats the Nx target with the run directory as the user typed it', () => {
    const inv = { base: { dir: '/repo/docs', source: 'nx-init-cwd' as const }, env: { NX_TASK_TARGET_PROJECT: 'recipes' }, script };
    expect(resumeCommand('/repo/docs/runs/quick', inv)).toBe('npx nx run recipes:train --resume --out=runs/quick');
    expect(startCommand('tiny', '/repo/docs/runs/quick', inv)).toBe('npx nx run recipes:train --recipe=tiny --out=runs/quick');
  });

  it('uses node and the script path outside Nx, and quotes for the shell', () => {
    const inv = { base: { dir: '/repo', source: 'cwd' as const }, env: {}, script };
    expect(resumeCommand('/repo/runs/my run', inv)).toBe("node packages/recipes/dist/cli/train.js --resume --out='runs/my run'");
    expect(resumeCommand('/tmp/x', inv)).toBe('node packages/recipes/dist/cli/train.js --resume --out=/tmp/x');
  });

  it('uses the bin name when started through it, and npm run from the npm script', () => {
    expect(resumeCommand('/w/runs/a', { base: { dir: '/w', source: 'cwd' }, env: {}, script: '/w/node_modules/.bin/resnext-train' })).toBe('resnext-train --resume --out=runs/a');
    const npm = { npm_lifecycle_event: 'train', npm_package_name: '@resnext/recipes' };
    expect(resumeCommand('/w/runs/a', { base: { dir: '/w', source: 'cwd' }, env: npm, script })).toBe('npm run train -- --resume --out=runs/a');
  });

  it('shows absolute paths once --cwd moved the base', () => {
    expect(displayPath('/data/runs/a', { dir: '/data', source: 'flag' })).toBe('/data/runs/a');
    expect(displayPath('/data/runs/a', { dir: '/data', source: 'cwd' })).toBe('runs/a');
  });
});
