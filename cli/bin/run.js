#!/usr/bin/env node
// Fast start: reuse V8's compile cache between runs (Node >= 22.1; a no-op before).
import module from 'node:module';
module.enableCompileCache?.();

// Ctrl-C exits 130 (128 + SIGINT) without a stack trace, as shells expect.
process.once('SIGINT', () => {
  process.stderr.write('\ninterrupted\n');
  process.exit(130);
});

const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url });
