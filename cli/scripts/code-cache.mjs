// Build step: writes V8's code cache of the `receipts verify` start-up bundle for the Node that
// builds, taken after one real verification so the functions that run are in it (a cache of the
// top level alone saves nothing). bin/fast-path-loader.cjs uses it under the same V8 only.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeReceiptFixture } from './receipt-fixture.mjs';

const require = createRequire(import.meta.url);
const { CACHE, DIST, loadFastPath } = require('../bin/fast-path-loader.cjs');

if (process.argv[2] === '--train') {
  // Child: verify the fixture through the loader bin/run.cjs uses, then save what V8 compiled.
  const [receipt, keys] = process.argv.slice(3);
  const { exports, script } = loadFastPath({ forCache: true });
  const code = await exports.runVerifyFastPath([receipt, '--keys', keys]);
  if (code !== 0) throw new Error(`training verification exited ${code}`);
  // Without a script this Node cannot run the bundle through vm (before 20.16): nothing to cache.
  if (script) writeFileSync(CACHE, script.createCachedData());
} else {
  for (const name of readdirSync(DIST)) if (name.endsWith('.v8cache')) rmSync(join(DIST, name));
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
