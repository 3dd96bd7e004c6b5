'use strict';
// Loads the `receipts verify` start-up bundle with a V8 code cache of the functions that ran
// last time: compiling them is a tenth of a verify run. Node's own compile cache (22.1+) keeps
// only what is compiled at load, and Node 20 has none, so the cache is ours: written after a run,
// per user, per V8 version. Nothing is shipped in the package: bytecode there could not be
// reviewed against the JavaScript. V8 checks little of a cache (a flipped byte can crash it or
// change a result), so each file carries SHA-256 of the bundle it was made from and of itself.
const fs = require('node:fs');
const { createHash } = require('node:crypto');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

const BUNDLE = join(__dirname, '../dist/fast-path.bundle.cjs');
const MAGIC = Buffer.from('PGVC1\n');
const HEADER = MAGIC.length + 64;

const sha256 = (data) => createHash('sha256').update(data).digest();

/** Where this user's cache lives, or undefined when there is no private place for it. */
function cacheFile(env = process.env) {
  if (env.NODE_DISABLE_COMPILE_CACHE || env.PROXYGATE_DISABLE_CODE_CACHE) return undefined;
  const home = env.HOME || undefined;
  let base = env.PROXYGATE_CACHE_DIR || undefined;
  if (!base && process.platform === 'win32') base = env.LOCALAPPDATA && join(env.LOCALAPPDATA, 'proxygate', 'cache');
  else if (!base && process.platform === 'darwin') base = home && join(home, 'Library', 'Caches', 'proxygate');
  else if (!base) base = (env.XDG_CACHE_HOME || (home && join(home, '.cache'))) && join(env.XDG_CACHE_HOME || join(home, '.cache'), 'proxygate');
  return base ? join(base, `verify-${process.versions.v8}-${process.arch}.v8cache`) : undefined;
}

/** Owned by us and writable by no one else (POSIX): anyone who can write it could run code as us. */
function isPrivate(stat) {
  if (process.platform === 'win32' || typeof process.getuid !== 'function') return true;
  return stat.uid === process.getuid() && (stat.mode & 0o022) === 0;
}

/** The file's bytes when it and its directory are private; undefined otherwise or when missing. */
function readPrivate(file) {
  try {
    return isPrivate(fs.statSync(dirname(file))) && isPrivate(fs.statSync(file)) ? fs.readFileSync(file) : undefined;
  } catch {
    return undefined;
  }
}

/** The cached bytes for this bundle, or undefined when missing, stale, corrupt or not private. */
function readCache(file, bundleHash) {
  const data = readPrivate(file);
  if (!data || data.length <= HEADER || !data.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  if (!data.subarray(MAGIC.length, MAGIC.length + 32).equals(bundleHash)) return undefined;
  const payload = data.subarray(HEADER);
  return data.subarray(MAGIC.length + 32, HEADER).equals(sha256(payload)) ? payload : undefined;
}

function writeCache(file, bundleHash, payload) {
  writePrivate(file, Buffer.concat([MAGIC, bundleHash, sha256(payload), payload]));
}

/** Best effort, atomic (write then rename), in a 0700 directory; a read-only home just skips it. */
function writePrivate(file, bytes) {
  try {
    fs.mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    if (!isPrivate(fs.statSync(dirname(file)))) return;
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, bytes, { mode: 0o600 });
    fs.renameSync(temp, file);
  } catch {
    // A cache is never worth a failure.
  }
}

const CHECKED_KEYS_LIMIT = 1000;

/**
 * The public keys (base64url) that passed the SDK's curve checks in earlier runs, one per line
 * beside the code cache, under the same rules (private directory and file). Checking a key is a
 * cold scalar multiplication in pure JS; whoever could write this file could also write the
 * pinned key file, or the code cache next to it.
 */
function checkedKeyStore(file) {
  let known;
  const added = [];
  const load = () => {
    if (known) return known;
    const lines = readPrivate(file)?.toString('utf8').split('\n') ?? [];
    known = new Set(lines.filter((line) => /^[A-Za-z0-9_-]{43}$/.test(line)));
    return known;
  };
  return {
    has: (key) => load().has(key),
    add: (key) => {
      if (load().has(key)) return;
      known.add(key);
      added.push(key);
    },
    save() {
      if (added.length === 0) return;
      const keys = [...load()].slice(-CHECKED_KEYS_LIMIT);
      writePrivate(file, Buffer.from(`${keys.join('\n')}\n`));
    },
  };
}

/**
 * Runs the bundle as CommonJS would. Returns its exports, whether a cache was used, the store of
 * checked keys to hand to the fast path, and `save` to call after the run (writes what changed).
 */
function loadFastPath(env = process.env) {
  const file = cacheFile(env);
  if (!file) return { exports: require(BUNDLE), cacheUsed: false, checkedKeys: undefined, save() {} };
  const checkedKeys = checkedKeyStore(join(dirname(file), 'checked-keys'));
  // Before Node 20.16 a vm.Script cannot import(): plain require, no code cache.
  if (!vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER) return { exports: require(BUNDLE), cacheUsed: false, checkedKeys, save: () => checkedKeys.save() };
  const source = fs.readFileSync(BUNDLE, 'utf8');
  const bundleHash = sha256(source);
  const cachedData = readCache(file, bundleHash);
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: BUNDLE,
    ...(cachedData ? { cachedData } : {}),
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, require, module, BUNDLE, dirname(BUNDLE));
  const cacheUsed = cachedData !== undefined && !script.cachedDataRejected;
  return {
    exports: module.exports,
    cacheUsed,
    checkedKeys,
    save() {
      checkedKeys.save();
      if (!cacheUsed) writeCache(file, bundleHash, script.createCachedData());
    },
  };
}

module.exports = { loadFastPath, cacheFile };
