// Child side of the hostile-input runner: loads one case file, runs one case in this fresh
// process (cwd: a fresh temp dir), measures it, and reports to the parent over IPC.
// Usage (by the runner): node --expose-gc driver.mjs <case file> <case id>
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { startMeasuring } from './lib/memory.mjs';

const [file, id] = process.argv.slice(2);

const send = (message) => new Promise((resolve) => process.send(message, resolve));

/**
 * Loads what the packages load lazily on first use (sharp, for image decoding), so that a one-time
 * library load is part of the baseline rather than of the first case that decodes an image.
 */
async function warmUp() {
  try {
    const require = createRequire(import.meta.resolve('@resnext/pretrained'));
    await import(pathToFileURL(require.resolve('sharp')).href);
  } catch {
    // Not installed (a fake case directory in the runner's own tests): nothing to warm up.
  }
}

function describeError(error) {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: typeof error, message: String(error) };
}

try {
  const module = await import(pathToFileURL(file).href);
  const found = module.cases?.find((c) => c.id === id);
  if (!found) throw new Error(`no case ${id} in ${file}`);
  await warmUp();
  // The case's input, built before measuring: the limits are for the code under test, not for
  // making the hostile file.
  const input = found.prepare === undefined ? undefined : await found.prepare({ dir: process.cwd() });
  // From here on the parent's hang timer counts run() only, not the imports and prepare() above.
  process.send({ kind: 'started' });
  globalThis.gc?.();
  const stop = startMeasuring();
  const start = performance.now();
  let outcome;
  try {
    await found.run({ dir: process.cwd(), input });
    outcome = { returned: true };
  } catch (error) {
    outcome = { error: describeError(error) };
  }
  const ms = performance.now() - start;
  const memory = stop();
  await send({ kind: 'result', ms, ...memory, ...outcome });
} catch (error) {
  await send({ kind: 'driver-error', error: describeError(error) });
}
// Whatever the case left running (timers, sockets, a server) must not keep the process alive.
process.exit(0);
