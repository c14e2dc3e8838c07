// Node run: the test packs the packages, installs and bundles an app, and drives Chromium itself.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // One scratch install and three production builds on two cores: minutes, not seconds.
    hookTimeout: 300_000,
    testTimeout: 300_000,
  },
});
