// The built trainer as a child process: help, and command lines it cannot run (exit 2, the
// usage, the flag meant, no stack trace).
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli } from '../testing/cli.js';

beforeAll(assertBuilt);

async function run(args: string[]) {
  const child = runCli(args);
  const code = await child.done;
  return { code, stdout: child.stdout(), stderr: child.stderr() };
}

const noStack = (text: string) => expect(text).not.toMatch(/^\s+at /m);

describe('resnext-train usage', () => {
  it('prints the usage for --help, -h and help, exit 0', async () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/^Usage: resnext-train --recipe <name> \[options\]/);
      expect(r.stdout).toContain('--resume');
      expect(r.stderr).toBe('');
    }
  });

  it('names the closest flag for a typo, prints the usage and exits 2', async () => {
    const r = await run(['--recipe=fashion-mnist-resnext', '--epoch=5']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe("resnext-train: unknown option '--epoch'. Did you mean --epochs?");
    expect(r.stderr).toContain('Usage: resnext-train');
    expect(r.stderr).not.toContain('TypeError');
    noStack(r.stderr);
  });

  it('exits 2 for a bad value, an unknown recipe and a missing recipe', async () => {
    const bad = await run(['--recipe=fashion-mnist-resnext', '--epochs=five']);
    expect([bad.code, bad.stderr.split('\n')[0]]).toEqual([2, "resnext-train: --epochs takes an integer, got 'five'."]);
    const unknown = await run(['--recipe=fashion-mnist']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.split('\n')[0]).toContain("unknown recipe 'fashion-mnist'. Did you mean fashion-mnist-resnext?");
    const none = await run(['--epochs=3']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--recipe <name> or --recipe-file <file.json> is required');
    for (const r of [bad, unknown, none]) noStack(r.stderr);
  });
});
