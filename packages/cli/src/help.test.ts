// `--help` / `-h` on the command and every subcommand, through the built binary.
import { describe, expect, it } from 'vitest';
import { CLASSIFY_OPTIONS } from './commands/classify.js';
import { FASHION_MNIST_OPTIONS } from './commands/fashion_mnist.js';
import { MODELS_OPTIONS } from './commands/models.js';
import { WEIGHTS_OPTIONS } from './commands/weights.js';
import { COMMANDS, helpText, wantsHelp } from './help.js';
import { runBin } from './testing/run_bin.js';

describe('resnext --help', () => {
  it.each([{ args: ['--help'] }, { args: ['-h'] }, { args: ['help'] }, { args: [] }])('prints the command list for `resnext $args` and exits 0', async ({ args }) => {
    const { stdout, stderr, code } = await runBin(args);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^resnext — /);
    for (const command of COMMANDS) expect(stdout).toContain(`\n  ${command}`);
    expect(stdout).toContain('Examples:');
    expect(stdout).toContain('Exit status: 0 ok, 1 some inputs failed, 2 usage error');
  });

  it.each(COMMANDS.flatMap((command) => [[command, '--help'], [command, '-h']]))('`resnext %s %s` prints the usage and examples of that command', async (command, flag) => {
    const { stdout, stderr, code } = await runBin([command, flag]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toBe(`${helpText(command)}\n`);
    expect(stdout).toMatch(new RegExp(`^Usage: resnext ${command}`));
    expect(stdout).toContain('Examples:\n  resnext ');
  });

  it('`resnext help <command>` is the command\'s --help, and --help wins over a bad command line', async () => {
    const viaHelp = await runBin(['help', 'classify']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toBe(`${helpText('classify')}\n`);
    const bad = await runBin(['classify', '--tpo', '3', '--help']);
    expect(bad.code).toBe(0);
    expect(bad.stdout).toBe(`${helpText('classify')}\n`);
  });

  it('prints the version', async () => {
    const { stdout, code } = await runBin(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('help texts', () => {
  it.each([
    ['classify', CLASSIFY_OPTIONS],
    ['weights', WEIGHTS_OPTIONS],
    ['models', MODELS_OPTIONS],
    ['fashion-mnist', FASHION_MNIST_OPTIONS],
  ] as const)('%s documents every option it accepts', (command, options) => {
    const text = helpText(command);
    for (const name of [...Object.keys(options), 'help', 'debug']) expect(text, `--${name}`).toMatch(new RegExp(`^  (-h, )?--${name}\\b`, 'm'));
  });

  it('finds -h/--help only before `--`', () => {
    expect(wantsHelp(['a.jpg', '-h'])).toBe(true);
    expect(wantsHelp(['--top', '3', '--help'])).toBe(true);
    expect(wantsHelp(['--', '--help'])).toBe(false);
    expect(wantsHelp(['a.jpg'])).toBe(false);
  });
});
