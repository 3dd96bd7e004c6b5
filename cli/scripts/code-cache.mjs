// Build step: writes dist/fast-path.bundle.v8cache, V8's code cache of the `receipts verify`
// start-up bundle, taken after one real verification so the functions that run are in it
// (a cache of the top level alone saves nothing). Node >= 22.1 caches compiled code itself
// (bin/run.cjs turns that on), so there this step only removes a stale cache.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeReceiptFixture } from './receipt-fixture.mjs';

const require = createRequire(import.meta.url);
const { CACHE, loadFastPath } = require('../bin/fast-path-loader.cjs');

if (process.argv[2] === '--train') {
  // Child: verify the fixture through the loader run.cjs uses, then save what V8 compiled.
  const [receipt, keys] = process.argv.slice(3);
  const { exports, script } = loadFastPath();
  const code = await exports.runVerifyFastPath([receipt, '--keys', keys]);
  if (code !== 0) throw new Error(`training verification exited ${code}`);
  if (script) writeFileSync(CACHE, script.createCachedData());
} else {
  rmSync(CACHE, { force: true });
  if (typeof module.enableCompileCache !== 'function') {
    const dir = mkdtempSync(join(tmpdir(), 'pg-code-cache-'));
    try {
      const fixture = writeReceiptFixture(dir);
      // A child of its own: the fast path writes its report to stdout, which the build does not need.
      const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--train', fixture.receipt, fixture.keys], {
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      if (child.status !== 0) process.exit(child.status ?? 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
