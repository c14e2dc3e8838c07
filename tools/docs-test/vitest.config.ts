// The docs test's own tests: it must reject what is wrong, not only pass what is right.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['*.test.ts'],
    testTimeout: 300_000,
    // The run under test happens once, in a beforeAll: a build, two Node processes, Chromium.
    hookTimeout: 300_000,
  },
});
