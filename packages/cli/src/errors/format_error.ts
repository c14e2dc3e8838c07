import { inspect } from 'node:util';
import type { BackendUnavailableError } from '@resnext/backends';
import type { ImageDecodeError } from '@resnext/pretrained';
import { systemProblem } from './system_problem.js';
import { EXIT, type ExitCode } from '../exit_codes.js';
import { CliError } from './cli_error.js';
import { firstLine, isNamed, type Described, type ErrorContext } from './described.js';
import { describeDownloadError } from './describe_download.js';
import { describeWeightsError } from './describe_weights.js';
import { UsageError } from './usage_error.js';

const NETWORK_CODES = /\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|UND_ERR_\w+)\b/;

/** The network error code of an error or its causes (`ENOTFOUND`, …), if any. */
function networkCode(error: unknown, depth = 0): string | undefined {
  if (!(error instanceof Error) || depth > 4) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.test(code)) return code;
  if (error.message === 'fetch failed') return networkCode(error.cause, depth + 1) ?? 'fetch failed';
  return networkCode(error.cause, depth + 1);
}

/** A `BackendUnavailableError`: the backend, why, and what to install or choose instead. */
function describeBackend(error: BackendUnavailableError): Described {
  const other = "--backend wasm (or cpu), which run everywhere in Node";
  const message =
    error.failure === 'not-installed' && error.install !== undefined
      ? `backend '${error.backend}' needs ${error.install}, which is not installed`
      : `backend '${error.backend}' is not available: ${firstLine(error.message, 240)}`;
  return {
    message,
    hint: error.install !== undefined ? `Install it (npm install ${error.install}) or choose ${other}.` : `Choose ${other}.`,
    exitCode: EXIT.failed,
  };
}

/**
 * What to tell the user about `error`: the packages' typed errors, usage errors, missing files
 * and network errors get a short message and a hint; anything else is an unexpected error.
 */
export async function describeError(error: unknown, context: ErrorContext = {}): Promise<Described> {
  if (error instanceof UsageError) {
    const command = error.command ?? context.command;
    return { message: error.message, hint: `Run 'resnext ${command === undefined ? '' : `${command} `}--help' for usage.`, exitCode: EXIT.usage };
  }
  if (error instanceof CliError) return { message: error.message, ...(error.hint !== undefined && { hint: error.hint }), exitCode: EXIT.failed };
  const known = describeDownloadError(error) ?? (await describeWeightsError(error, context));
  if (known !== undefined) return known;
  if (isNamed<BackendUnavailableError>(error, 'BackendUnavailableError')) return describeBackend(error);
  if (isNamed<ImageDecodeError>(error, 'ImageDecodeError')) return { message: firstLine(error.message), hint: 'Pass a JPEG, PNG or WebP image.', exitCode: EXIT.failed };
  if (isNamed(error, 'DatasetError')) return { message: firstLine(error.message, 600), exitCode: EXIT.failed };
  const problem = systemProblem(error);
  const path = (error as { path?: unknown } | null)?.path;
  if (problem !== undefined && typeof path === 'string') return { message: `cannot read ${path}: ${problem}`, exitCode: EXIT.failed };
  const network = networkCode(error);
  if (network !== undefined) {
    return {
      message: `network error (${network}): ${firstLine((error as Error).message)}`,
      hint: 'Check the network connection or RESNEXT_MIRROR, or pass a local checkpoint with --weights FILE.',
      exitCode: EXIT.failed,
    };
  }
  const name = error instanceof Error ? error.name : typeof error;
  const message = error instanceof Error ? error.message : String(error);
  return { message: `unexpected error: ${name}: ${firstLine(message)}`, hint: 'Run with --debug for the stack trace.', exitCode: EXIT.internal };
}

/**
 * The text to print on stderr for `error` and the exit code: one to three lines, each prefixed
 * `resnext:` or indented; with `debug`, the error's full inspection (stack, fields, causes) too.
 */
export async function formatError(error: unknown, context: ErrorContext = {}, debug = false): Promise<{ text: string; exitCode: ExitCode }> {
  const described = await describeError(error, context);
  const prefix = error instanceof UsageError && (error.command ?? context.command) !== undefined ? `resnext ${error.command ?? context.command}` : 'resnext';
  const lines = [`${prefix}: ${described.message}`];
  if (described.detail !== undefined) lines.push(`  ${described.detail}`);
  if (described.hint !== undefined && !(debug && described.exitCode === EXIT.internal)) lines.push(`  ${described.hint}`);
  if (debug) lines.push('', inspect(error, { depth: 6 }));
  return { text: lines.join('\n'), exitCode: described.exitCode };
}
