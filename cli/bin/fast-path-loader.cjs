'use strict';
// Loads the `receipts verify` start-up bundle with a V8 code cache written at build time
// (scripts/code-cache.mjs) after one real verification, so it holds the functions that run:
// compiling them is a tenth of a verify run. Node's own compile cache (22.1+) keeps only what is
// compiled at load, and Node 20 has none. A cache serves only the V8 that wrote it (the file name
// says which); any other Node requires the bundle as usual.
const { existsSync, readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

const DIST = join(__dirname, '../dist');
const BUNDLE = join(DIST, 'fast-path.bundle.cjs');
const CACHE = join(DIST, `fast-path.bundle.${process.versions.v8}-${process.arch}.v8cache`);

/**
 * Runs the bundle as CommonJS would; returns its exports and, when it went through V8 with a
 * cache (or `forCache`, to write one), the script.
 */
function loadFastPath({ forCache = false } = {}) {
  // Before Node 20.16 a vm.Script cannot import(): plain require.
  const canUseVm = Boolean(vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER);
  if (!canUseVm || (!forCache && !existsSync(CACHE))) return { exports: require(BUNDLE) };
  const source = readFileSync(BUNDLE, 'utf8');
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: BUNDLE,
    ...(forCache ? {} : { cachedData: readFileSync(CACHE) }),
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, require, module, BUNDLE, dirname(BUNDLE));
  return { exports: module.exports, script };
}

module.exports = { loadFastPath, CACHE, DIST };
