// The `receipts verify` start-up path as one CommonJS file: require() of one file starts faster
// than Node's ESM loader walking the SDK's modules (see bin/run.cjs).
import { defineConfig } from 'rolldown';

export default defineConfig({
  input: 'dist/fast-path.js',
  platform: 'node',
  // Built-ins the path never calls (the verifier pool's worker_threads, os) must not be required
  // at start-up just because a re-exporting module imports them.
  // Other modules follow their package.json `sideEffects` (the SDK's is false), so a module that
  // re-exports one SDK function (lazy/money.ts) brings that function, not the SDK's client.
  treeshake: { moduleSideEffects: (_id, external) => (external ? false : undefined) },
  output: { file: 'dist/fast-path.bundle.cjs', format: 'cjs', codeSplitting: false, minify: true },
});
