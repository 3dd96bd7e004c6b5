import { defineProject, mergeConfig } from 'vitest/config';
import { sourceConditions } from '../vitest.shared.js';

export default mergeConfig(sourceConditions, defineProject({
  test: { name: 'server-mock', include: ['test/**/*.test.ts', 'src/**/*.test.ts'], testTimeout: 20_000 },
}));
