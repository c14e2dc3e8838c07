#!/usr/bin/env node
import { UsageError, run } from './main.js';

try {
  process.stdout.write((await run(process.argv.slice(2), process.stderr)) + '\n');
} catch (err) {
  if (err instanceof UsageError) {
    process.stderr.write(err.message + '\n');
    process.exitCode = 2;
  } else {
    throw err;
  }
}
