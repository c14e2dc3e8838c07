// Checks of the repository itself (not of a package): how its tools behave for a contributor.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['*.test.ts'],
    testTimeout: 120_000,
  },
});
