import type { CacheError, DownloadError, IntegrityError, OfflineError } from '@resnext/pretrained';
import { EXIT } from '../exit_codes.js';
import { firstLine, isNamed, withoutPrefix, type Described } from './described.js';

const NETWORK_HINT = 'Check the network connection, set RESNEXT_MIRROR to a mirror that has the file, or download the file yourself and pass it with --weights FILE.';

/** One failed source, shortly: `<url>: <problem>` without any note about a kept partial file. */
function attempt(error: Error): string {
  return firstLine(error.message.replace(/ \(partial download kept in [^)]*\)$/, ''), 200);
}

/** A `DownloadError`: which URL failed and why, and how to get the weights another way. */
function describeDownload(error: DownloadError): Described {
  const partial = error.file === undefined ? undefined : `The partial download ${error.file} is kept; the next run resumes it.`;
  if (error.reason === 'all-sources-failed') {
    const [first, ...others] = error.attempts;
    return {
      message: `could not download the weights: all ${error.attempts.length} sources failed (first: ${first === undefined ? error.url : attempt(first)}${others.length ? '; …' : ''})`,
      ...(partial !== undefined && { detail: partial }),
      hint: NETWORK_HINT,
      exitCode: EXIT.failed,
    };
  }
  const problem = withoutPrefix(attempt(error), error.url);
  if (error.reason === 'deadline') {
    return {
      message: `could not download ${error.url} in time: ${problem}`,
      ...(partial !== undefined && { detail: partial }),
      hint: 'Run again to resume it, set RESNEXT_MIRROR to a faster mirror, or download the file yourself and pass it with --weights FILE.',
      exitCode: EXIT.failed,
    };
  }
  if (error.reason === 'too-large') {
    return {
      message: `refused ${error.url}: ${problem}`,
      hint: 'That address serves something much larger than a checkpoint: check RESNEXT_MIRROR, or pass a local checkpoint with --weights FILE.',
      exitCode: EXIT.failed,
    };
  }
  return {
    message: `could not download ${error.url}: ${problem}`,
    ...(partial !== undefined && { detail: partial }),
    hint: error.status === 404 || error.status === 403 ? 'The file is not at that address: check RESNEXT_MIRROR, or pass a local checkpoint with --weights FILE.' : NETWORK_HINT,
    exitCode: EXIT.failed,
  };
}

/** An `OfflineError`: where the weights were looked for, and how to get them there. */
function describeOffline(error: OfflineError): Described {
  const [first, ...more] = error.searched;
  return {
    message: `offline mode (--offline or RESNEXT_OFFLINE) and the weights are not cached: looked for ${first ?? error.urls.join(', ')}${more.length ? ` and ${more.length} more` : ''}`,
    hint: 'Run once online (without --offline, RESNEXT_OFFLINE unset) to download them, copy the file to that path, or pass a local checkpoint with --weights FILE.',
    exitCode: EXIT.failed,
  };
}

/** An `IntegrityError`: which bytes were bad, what happened to them, and what to do. */
function describeIntegrity(error: IntegrityError): Described {
  const check =
    error.check === 'size'
      ? `size ${error.expected} bytes expected, got ${error.actual}`
      : error.check === 'structure'
        ? `${error.actual}, not ${error.expected}`
        : `${error.check === 'sha256' ? 'sha256' : 'sha256 prefix'} mismatch`;
  switch (error.origin) {
    case 'cache':
      return {
        message: `the cached weights file ${error.file ?? error.url} was corrupted (${check}) and has been deleted`,
        hint: 'Run the command again online to download it anew (or pass a local checkpoint with --weights FILE).',
        exitCode: EXIT.failed,
      };
    case 'package':
      return {
        message: `the weights file shipped in @resnext/pretrained is corrupted (${check}): ${error.file ?? error.url}`,
        hint: 'Reinstall @resnext/pretrained (npm install @resnext/pretrained).',
        exitCode: EXIT.failed,
      };
    default:
      return {
        message: `the download of ${error.url} is corrupted (${check}); nothing was cached`,
        hint: 'Try again; if it persists, the server or mirror (RESNEXT_MIRROR) serves another file: pass a checkpoint you trust with --weights FILE.',
        exitCode: EXIT.failed,
      };
  }
}

/** A `CacheError`: the path the file system refused, and what to do (the package's own advice). */
function describeCache(error: CacheError): Described {
  const [what, advice] = firstLine(error.message, 400).split(/: (.*)/s);
  return { message: what ?? error.message, ...(advice !== undefined && { hint: `${advice.charAt(0).toUpperCase()}${advice.slice(1)}.` }), exitCode: EXIT.failed };
}

/** Describes the download layer's errors (DownloadError, OfflineError, IntegrityError, CacheError), or undefined for any other error. */
export function describeDownloadError(error: unknown): Described | undefined {
  if (isNamed<CacheError>(error, 'CacheError')) return describeCache(error);
  if (isNamed<DownloadError>(error, 'DownloadError')) return describeDownload(error);
  if (isNamed<OfflineError>(error, 'OfflineError')) return describeOffline(error);
  if (isNamed<IntegrityError>(error, 'IntegrityError')) return describeIntegrity(error);
  return undefined;
}
