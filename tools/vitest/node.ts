// Vitest settings shared by every package's Node test run.
import { defineConfig } from 'vitest/config';

export function nodeConfig() {
  return defineConfig({
    test: {
      include: ['src/**/*.test.ts'],
      exclude: ['src/**/*.browser.test.ts', 'node_modules/**', 'dist/**'],
      testTimeout: 60_000,
    },
  });
}
