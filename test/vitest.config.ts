import { defineProject, mergeConfig } from 'vitest/config';
import { sourceConditions } from '../vitest.shared.js';

export default mergeConfig(sourceConditions, defineProject({
  test: { name: 'test', include: ['**/*.test.ts'], exclude: ['**/node_modules/**', '**/fixtures/**'], testTimeout: 20_000 },
}));
