// Loaded with `node --import` before the `resnext` binary in tests: the first write to stdout
// throws an error no part of the CLI expects, to check how the binary reports unexpected errors.
import process from 'node:process';

const write = process.stdout.write.bind(process.stdout);
let thrown = false;
process.stdout.write = (...args) => {
  if (!thrown) {
    thrown = true;
    throw new TypeError('injected failure for a test');
  }
  return write(...args);
};
