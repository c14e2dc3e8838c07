import { defineConfig } from 'vitest/config';

// The end-to-end test builds the page, serves it and drives Chromium from Node: one long test
// file, run by the `test-browser` target.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
