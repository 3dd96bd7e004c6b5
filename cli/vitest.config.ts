import { defineProject, mergeConfig } from 'vitest/config';
import { sourceConditions } from '../vitest.shared.js';

export default mergeConfig(sourceConditions, defineProject({
  test: {
    name: 'cli',
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 20_000,
  },
}));
