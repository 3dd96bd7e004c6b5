'use strict';
// Loads the `receipts verify` start-up bundle with the V8 code cache written at build time
// (scripts/code-cache.mjs): Node 20 has no module.enableCompileCache, and compiling the bundle
// is a tenth of a verify run. V8 rejects a cache made by another V8 version or with other flags;
// the bundle then compiles as usual.
const { readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

const BUNDLE = join(__dirname, '../dist/fast-path.bundle.cjs');
const CACHE = join(__dirname, '../dist/fast-path.bundle.v8cache');

/** Runs the bundle as CommonJS would; returns its exports and the script (to write a cache from). */
function loadFastPath() {
  // Before Node 20.16 a vm.Script cannot import(): plain require, no cache.
  if (!vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER) return { exports: require(BUNDLE) };
  let cachedData;
  try {
    cachedData = readFileSync(CACHE);
  } catch {
    // No cache (built on Node >= 22.1, or not built yet): compile.
  }
  const source = readFileSync(BUNDLE, 'utf8');
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: BUNDLE,
    ...(cachedData ? { cachedData } : {}),
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, require, module, BUNDLE, dirname(BUNDLE));
  return { exports: module.exports, script };
}

module.exports = { loadFastPath, CACHE };
