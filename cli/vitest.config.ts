import { defineProject, mergeConfig } from 'vitest/config';
import { sourceConditions } from '../vitest.shared.js';

export default mergeConfig(sourceConditions, defineProject({
  test: {
    name: 'cli',
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 20_000,
    // eventsource-parser (imported by the MCP client transport) publishes a "source" export of raw
    // TypeScript; with the source condition on, Node cannot load it, so vite compiles the MCP SDK
    // and it instead.
    server: { deps: { inline: [/@modelcontextprotocol\/sdk/, 'eventsource-parser'] } },
  },
}));
