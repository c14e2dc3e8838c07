// A contributor's first `npx nx …` in a terminal must not stop at a prompt (Nx asks about
// usage analytics when nx.json does not say) nor rewrite the committed nx.json.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const scratch: string[] = [];
afterAll(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** Runs `npx nx show projects` in `cwd` on a pseudo-terminal (util-linux `script`), stdin closed. */
function nxInTerminal(cwd: string, timeout = 60_000) {
  const env = { ...process.env };
  // A terminal session as a person has it: not CI, no opt-outs from the environment.
  for (const key of Object.keys(env)) if (key === 'CI' || key.startsWith('NX_') || key.startsWith('VITEST')) delete env[key];
  env.NX_DAEMON = 'false';
  return spawnSync('script', ['-qec', 'npx nx show projects', '/dev/null'], {
    cwd,
    env,
    input: '',
    encoding: 'utf8',
    timeout,
  });
}

/** A workspace with this repo's nx.json (optionally edited) and node_modules, and no projects. */
function workspaceWith(nxJson: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'nx-prompt-'));
  scratch.push(dir);
  writeFileSync(path.join(dir, 'nx.json'), nxJson);
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'scratch', private: true }));
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

describe('nx in a terminal', () => {
  it('is available (util-linux script gives it a terminal)', () => {
    expect(execFileSync('script', ['-qec', 'test -t 1 && echo tty', '/dev/null'], { encoding: 'utf8' })).toContain('tty');
  });

  it('does not prompt in this repository and leaves nx.json as committed', () => {
    const before = readFileSync(path.join(root, 'nx.json'), 'utf8');
    const result = nxInTerminal(root);
    expect(result.error).toBeUndefined();
    expect(result.stdout).not.toMatch(/analytics|usage data/i);
    expect(result.stdout).toContain('pretrained');
    expect(readFileSync(path.join(root, 'nx.json'), 'utf8')).toBe(before);
  });

  it('would prompt without the setting (so the check above can fail)', () => {
    const nxJson = JSON.parse(readFileSync(path.join(root, 'nx.json'), 'utf8'));
    delete nxJson.analytics;
    const dir = workspaceWith(JSON.stringify(nxJson, null, 2));
    // The prompt then waits for an answer that never comes: the timeout ends it.
    const result = nxInTerminal(dir, 15_000);
    expect(result.stdout).toMatch(/usage data/i);
  });
});
