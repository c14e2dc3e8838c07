// Runs the built `resnext` binary (dist/bin.js) as a child process, as a user's shell would.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built binary (`nx run cli:test` builds it first: the target depends on `cli:build`). */
const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

/** What a run of the binary printed, its exit code and how long it took. */
export interface BinResult {
  stdout: string;
  stderr: string;
  code: number;
  ms: number;
}

/** Options of {@link runBin}. */
export interface RunBinOptions {
  /** Environment variables on top of a clean environment (no RESNEXT_* variables of the caller). */
  env?: Record<string, string>;
  /** Node flags before the script (e.g. `--import` of a fault injector). */
  nodeArgs?: string[];
  timeoutMs?: number;
}

/** Runs `node dist/bin.js ...args` and resolves with its output and exit code (a non-zero exit is a result, not an error). */
export function runBin(args: readonly string[], options: RunBinOptions = {}): Promise<BinResult> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('RESNEXT_') && k !== 'NODE_OPTIONS') env[k] = v;
  Object.assign(env, options.env);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...(options.nodeArgs ?? []), BIN, ...args], { env, encoding: 'utf8', timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : undefined;
      if (code === undefined) reject(new Error(`resnext ${args.join(' ')} did not exit normally: ${error?.message}\n${stderr}`));
      else resolve({ stdout, stderr, code, ms: performance.now() - started });
    });
  });
}
