// Parent side: runs one case in its own Node process, in a fresh temp directory removed afterwards.
/* global URL, setTimeout, clearTimeout -- Node */
import { fork } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HARD_TIMEOUT_MS } from './limits.mjs';

const DRIVER = fileURLToPath(new URL('../driver.mjs', import.meta.url));
const OUTPUT_LIMIT = 16_384;

/**
 * Runs case `id` of `file` through the driver. Resolves with the driver's report
 * (`{ kind: 'result', ms, mb, returned | error }`), or `{ kind: 'hang' }` when it had to be killed
 * after `hardTimeoutMs`, or `{ kind: 'crash', code, signal }` when it died without reporting (an
 * out-of-memory kill, say); `output` is the tail of what the child printed.
 */
export async function runCase({ file, id }, { hardTimeoutMs = HARD_TIMEOUT_MS } = {}) {
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
      const timer = setTimeout(() => {
        report = { kind: 'hang', ms: hardTimeoutMs };
        child.kill('SIGKILL');
      }, hardTimeoutMs);
      child.on('message', (message) => (report ??= message));
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        resolve({ ...(report ?? { kind: 'crash', code, signal }), output });
      });
    });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
