import type { StateDictMismatchError, WeightsFormatError, WeightsValueError } from '@resnext/pretrained';
import { EXIT } from '../exit_codes.js';
import { firstLine, isNamed, withoutPrefix, type Described, type ErrorContext } from './described.js';

/** How many keys of each kind a mismatch report names. */
const KEYS_SHOWN = 3;

const list = (keys: readonly string[], shown = KEYS_SHOWN): string => `${keys.slice(0, shown).join(', ')}${keys.length > shown ? ` … and ${keys.length - shown} more` : ''}`;

/** The cache file of a downloaded checkpoint's URL, found the way @resnext/pretrained caches it. */
async function cachePathOf(url: string, cacheDir: string | undefined): Promise<string | undefined> {
  try {
    const { weightsCacheStatus } = await import('@resnext/pretrained');
    return (await weightsCacheStatus({ url }, cacheDir === undefined ? {} : { cacheDir })).sources[0]?.path;
  } catch {
    return undefined;
  }
}

/** A `WeightsFormatError`: which file is unreadable and what to do about that file. */
async function describeFormat(error: WeightsFormatError, context: ErrorContext): Promise<Described> {
  const message = `${error.source} is not a usable checkpoint: ${firstLine(withoutPrefix(error.message, error.source), 200)}`;
  if (error.source.startsWith('bundled:')) return { message, hint: 'Reinstall @resnext/pretrained (npm install @resnext/pretrained).', exitCode: EXIT.failed };
  if (/^https?:\/\//i.test(error.source)) {
    const file = await cachePathOf(error.source, context.cacheDir);
    return {
      message,
      hint: `${file === undefined ? 'Delete its cached copy' : `Delete the cached file ${file}`} and run again to download it anew, or pass another checkpoint with --weights FILE.`,
      exitCode: EXIT.failed,
    };
  }
  return { message, hint: 'Pass a .safetensors file, a PyTorch checkpoint saved with torch.save (.pth), or a tfjs model.json as --weights.', exitCode: EXIT.failed };
}

/** A `StateDictMismatchError`: how many keys disagree, the first few by their state-dict names, and what to check. */
function describeMismatch(error: StateDictMismatchError): Described {
  const { missingKeys, unexpectedKeys, mismatchedKeys } = error.result;
  const source = error.source ?? 'the checkpoint';
  const counts = [
    missingKeys.length ? `${missingKeys.length} missing` : '',
    unexpectedKeys.length ? `${unexpectedKeys.length} unexpected` : '',
    mismatchedKeys.length ? `${mismatchedKeys.length} mis-shaped` : '',
  ].filter(Boolean);
  const detail = [
    missingKeys.length ? `missing: ${list(missingKeys)}` : '',
    unexpectedKeys.length ? `unexpected: ${list(unexpectedKeys)}` : '',
    mismatchedKeys.length ? `mis-shaped: ${list(mismatchedKeys, 1)}` : '',
  ].filter(Boolean);
  return {
    message: `${source} does not fit the model's architecture: ${counts.join(', ')} state-dict keys`,
    detail: detail.join('; '),
    hint: "Pass the --model the checkpoint was trained as ('resnext weights' and 'resnext models' list them), or the --weights file made for this model.",
    exitCode: EXIT.failed,
  };
}

/** Describes errors about weights files and registries, or returns undefined for any other error. */
export async function describeWeightsError(error: unknown, context: ErrorContext): Promise<Described | undefined> {
  if (isNamed<WeightsValueError>(error, 'WeightsValueError')) {
    return {
      message: `${error.source} holds values no trained network has: ${firstLine(withoutPrefix(error.message, error.source), 200)}`,
      hint: 'The checkpoint is damaged or its training diverged: pass another checkpoint with --weights FILE.',
      exitCode: EXIT.failed,
    };
  }
  if (isNamed<WeightsFormatError>(error, 'WeightsFormatError')) return describeFormat(error, context);
  if (isNamed<StateDictMismatchError>(error, 'StateDictMismatchError')) return describeMismatch(error);
  if (isNamed(error, 'WeightsRegistryError') || isNamed(error, 'ModelRegistryError')) {
    return { message: firstLine(error.message.replace(/ Known( \w+)?: .*$/s, '')), hint: "'resnext weights' lists the weights, 'resnext models' the architectures.", exitCode: EXIT.usage };
  }
  return undefined;
}
