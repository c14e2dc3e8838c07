// The hostile-input corpus: the runner's own tests (it must fail what is wrong) and the corpus itself.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['*.test.ts'],
    testTimeout: 180_000,
    // The corpus runs once, in a beforeAll: one child process per case, about a second of CPU
    // each (mostly imports), so minutes on a machine whose cores other work shares.
    hookTimeout: 600_000,
    // One file at a time: both files time child processes against limits, and CPU is shared.
    fileParallelism: false,
  },
});
