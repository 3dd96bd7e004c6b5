import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['sdk', 'server-mock', 'cli', 'test'],
    reporters: ['default', './scripts/vitest-summary-reporter.ts'],
  },
});
