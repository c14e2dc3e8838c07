import { describe, expect, it } from 'vitest';
import { USAGE, parseTrainArgs } from './parse_args.js';
import { FLAGS } from './flags.js';
import { UsageError } from './usage_error.js';

const error = (argv: string[]) => {
  try {
    parseTrainArgs(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`parsed ${argv.join(' ')}`);
};

describe('parseTrainArgs', () => {
  it('reads flags in both spellings, and only the overrides given', () => {
    const c = parseTrainArgs(['--recipe=fashion-mnist-resnext', '--epochs', '5', '--lr=0.1', '--out', 'runs/x', '--resume', '--reschedule', '--cwd=/tmp', '--data-dir=d']);
    expect(c).toMatchObject({ recipe: 'fashion-mnist-resnext', out: 'runs/x', resume: true, reschedule: true, cwd: '/tmp', help: false });
    expect(c.overrides).toEqual({ epochs: 5, lr: 0.1, dataDir: 'd' });
    expect(parseTrainArgs(['--quick']).overrides).toEqual({ quick: true });
  });

  it('takes --help, -h and the word help', () => {
    for (const argv of [['--help'], ['-h'], ['help'], ['--recipe=x', 'help']]) expect(parseTrainArgs(argv).help).toBe(true);
  });

  it('names the closest flag for an unknown option', () => {
    expect(error(['--epoch=5'])).toBe("unknown option '--epoch'. Did you mean --epochs?");
    expect(error(['--batchsize', '8'])).toContain('Did you mean --batch-size?');
    expect(error(['--recipe-fle=x.json'])).toContain('Did you mean --recipe-file?');
    expect(error(['--temperature=2'])).toBe("unknown option '--temperature'.");
    expect(error(['-x'])).toContain("unknown option '-x'");
  });

  it('rejects bad values, missing values, values on switches and stray words', () => {
    expect(error(['--epochs=five'])).toBe("--epochs takes an integer, got 'five'.");
    expect(error(['--epochs=2.5'])).toContain('an integer');
    expect(error(['--lr='])).toContain('--lr takes a number');
    expect(error(['--out'])).toContain('--out needs a value');
    expect(error(['--out', '--resume'])).toContain('--out needs a value');
    expect(error(['--resume=yes'])).toBe("--resume takes no value, got 'yes'.");
    expect(error(['--backend=wsam'])).toContain('Did you mean wasm?');
    expect(error(['--engine=torchrn'])).toBe("--engine takes one of tfjs, torchrun; got 'torchrn'. Did you mean torchrun?");
    expect(error(['fashion-mnist-resnext'])).toContain("unexpected argument 'fashion-mnist-resnext'");
  });

  it('lists every flag in the usage', () => {
    for (const f of FLAGS) expect(USAGE).toContain(`--${f.name}`);
  });
});
