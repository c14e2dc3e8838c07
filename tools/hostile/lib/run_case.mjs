// Parent side: runs one case in its own Node process, in a fresh temp directory removed afterwards.
import { fork } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUN_TIMEOUT_MS, STARTUP_TIMEOUT_MS } from './limits.mjs';

const DRIVER = fileURLToPath(new URL('../driver.mjs', import.meta.url));
const OUTPUT_LIMIT = 16_384;

/**
 * Runs case `id` of `file` through the driver. Resolves with the driver's report
 * (`{ kind: 'result', ms, mb, returned | error }`), or `{ kind: 'hang', ms, phase }` when it had
 * to be killed — its run() unsettled `runTimeoutMs` after it started, or still loading after
 * `startupTimeoutMs` — or `{ kind: 'crash', code, signal }` when it died without reporting (an
 * out-of-memory kill, say); `output` is the tail of what the child printed.
 */
export async function runCase({ file, id }, { runTimeoutMs = RUN_TIMEOUT_MS, startupTimeoutMs = STARTUP_TIMEOUT_MS } = {}) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `hostile-${id}-`));
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
  };
  try {
    return await new Promise((resolve) => {
      const child = fork(DRIVER, [file, id], { cwd: dir, execArgv: ['--expose-gc'], stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'advanced' });
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      let report;
      const killAfter = (ms, phase) =>
        setTimeout(() => {
          report = { kind: 'hang', ms, phase };
          child.kill('SIGKILL');
        }, ms);
      let timer = killAfter(startupTimeoutMs, 'loading');
      child.on('message', (message) => {
        if (message.kind === 'started') {
          clearTimeout(timer);
          timer = killAfter(runTimeoutMs, 'run');
        } else report ??= message;
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        resolve({ ...(report ?? { kind: 'crash', code, signal }), output });
      });
    });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
