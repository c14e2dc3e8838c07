// Vitest settings shared by every package's Node test run.
import { defineConfig } from 'vitest/config';

export function nodeConfig() {
  return defineConfig({
    test: {
      include: ['src/**/*.test.ts'],
      exclude: ['src/**/*.browser.test.ts', 'src/**/*.slow.test.ts', 'node_modules/**', 'dist/**'],
      testTimeout: 60_000,
    },
  });
}

/**
 * The slow tier (`*.slow.test.ts`, the `test-slow` target): tests of a minute or more — every
 * variant built, 10,000 images classified, real child-process training runs — kept out of the
 * `test` target so the quick feedback stays quick; `npm test` runs both.
 */
export function nodeSlowConfig() {
  return defineConfig({
    test: {
      include: ['src/**/*.slow.test.ts'],
      exclude: ['node_modules/**', 'dist/**'],
      testTimeout: 300_000,
    },
  });
}
