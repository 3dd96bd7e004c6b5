'use strict';
// Loads a start-up bundle (dist/fast-path.bundle.cjs for `receipts verify`, dist/data-*.bundle.cjs
// for the data commands) with a V8 code cache of the functions that ran before: compiling them is
// a tenth of a verify run and more of a data command. Node's own compile cache (22.1+) keeps only
// what is compiled at load, and Node 20 has none, so the cache is ours: written after a run, per
// user, per V8 version, per bundle. Nothing is shipped in the package: bytecode there could not
// be reviewed against the JavaScript. V8 checks little of a cache (a flipped byte can crash it or
// change a result), so each file carries SHA-256 of the bundle it was made from and of itself.
const fs = require('node:fs');
const { isAscii } = require('node:buffer');
const { dirname, join } = require('node:path');

/** The bundles, by name: their file and the prefix of their cache file. */
const BUNDLES = {
  'fast-path': { file: join(__dirname, '../dist/fast-path.bundle.cjs'), cache: 'verify' },
};
// The data commands come in groups of topics, one bundle each (rolldown.config.mjs, src/data-path.ts).
for (const group of ['catalog', 'call', 'account', 'receipts']) {
  BUNDLES[`data-${group}`] = { file: join(__dirname, `../dist/data-${group}.bundle.cjs`), cache: `data-${group}` };
}

/** The bundle that runs each data topic (the first word of its command lines). */
const TOPIC_BUNDLES = {
  apis: 'data-catalog',
  categories: 'data-catalog',
  pricing: 'data-catalog',
  services: 'data-catalog',
  call: 'data-call',
  balance: 'data-account',
  tokens: 'data-account',
  usage: 'data-account',
  receipts: 'data-receipts',
};
// Version 2: the hashed part starts with the tags of the runs whose functions the cache holds.
const MAGIC = Buffer.from('PGVC2\n');
const HEADER = MAGIC.length + 64;

const sha256 = (data) => require('node:crypto').createHash('sha256').update(data).digest();

/**
 * The CLI's cache directory by oclif's rules, as src/lib/user-dirs.ts has them (a test checks they
 * agree on every platform): PROXYGATE_CACHE_DIR, else ~/Library/Caches/proxygate on macOS, else
 * $XDG_CACHE_HOME, else %LOCALAPPDATA% on Windows, else ~/.cache, then /proxygate. Undefined
 * without a home (user-dirs falls back to the temp dir: no place for code we will run).
 */
function cacheDir(env = process.env, platform = process.platform, homedir = () => require('node:os').homedir()) {
  const set = (name) => env[name] || undefined;
  if (set('PROXYGATE_CACHE_DIR')) return env.PROXYGATE_CACHE_DIR;
  const windows = platform === 'win32';
  const path = windows ? require('node:path').win32 : require('node:path').posix;
  const home = () =>
    set('HOME') ?? (windows ? (set('HOMEDRIVE') && set('HOMEPATH') && path.join(env.HOMEDRIVE, env.HOMEPATH)) || set('USERPROFILE') : undefined) ?? (homedir() || undefined);
  if (platform === 'darwin') {
    const h = home();
    return h && path.join(h, 'Library', 'Caches', 'proxygate');
  }
  const xdg = set('XDG_CACHE_HOME') ?? (windows ? set('LOCALAPPDATA') : undefined);
  if (xdg) return path.join(xdg, 'proxygate');
  const h = home();
  return h && path.join(h, '.cache', 'proxygate');
}

/**
 * Where this user's cache of a bundle lives (one per `key` too: the data path keeps one per
 * topic, so a command reads only the code its own topic ran), or undefined when there is no
 * private place for it.
 */
function cacheFile(env = process.env, prefix = 'verify', key = undefined, platform = process.platform) {
  if (env.NODE_DISABLE_COMPILE_CACHE || env.PROXYGATE_DISABLE_CODE_CACHE) return undefined;
  if (key !== undefined && !/^[a-z]{1,32}$/.test(key)) return undefined;
  const base = cacheDir(env, platform);
  // Windows: isPrivate cannot check ownership there, so code we will run is kept only in the
  // per-user %LOCALAPPDATA% (or where PROXYGATE_CACHE_DIR says), not under an XDG or home path
  // that may be a shared or network drive.
  if (platform === 'win32' && !env.PROXYGATE_CACHE_DIR && !(env.LOCALAPPDATA && base === require('node:path').win32.join(env.LOCALAPPDATA, 'proxygate'))) return undefined;
  const name = key === undefined ? prefix : `${prefix}-${key}`;
  return base ? join(base, `${name}-${process.versions.v8}-${process.arch}.v8cache`) : undefined;
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

/**
 * The cached bytes for this bundle and the tags of the runs they cover, or undefined when missing,
 * stale, corrupt or not private. Layout: MAGIC, SHA-256 of the bundle, SHA-256 of the rest, then
 * the rest: tags length (2 bytes), tags ("\n"-separated), V8's cached data.
 */
function readCache(file, bundleHash) {
  const data = readPrivate(file);
  if (!data || data.length <= HEADER + 2 || !data.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  if (!data.subarray(MAGIC.length, MAGIC.length + 32).equals(bundleHash)) return undefined;
  const rest = data.subarray(HEADER);
  if (!data.subarray(MAGIC.length + 32, HEADER).equals(sha256(rest))) return undefined;
  const tagsEnd = 2 + rest.readUInt16BE(0);
  if (tagsEnd >= rest.length) return undefined;
  const tags = rest.subarray(2, tagsEnd).toString('utf8');
  return { tags: new Set(tags ? tags.split('\n') : []), payload: rest.subarray(tagsEnd) };
}

function writeCache(file, bundleHash, tags, payload) {
  const tagBytes = Buffer.from([...tags].join('\n'), 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(tagBytes.length);
  const rest = Buffer.concat([length, tagBytes, payload]);
  writePrivate(file, Buffer.concat([MAGIC, bundleHash, sha256(rest), rest]));
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
 * Runs a bundle as CommonJS would. Returns its exports, whether a cache was used, the store of
 * checked keys to hand to it, and `save(tag)` to call after the run: it writes the checked keys
 * that changed, and the code cache when there was none or when it did not yet cover `tag` (the
 * data path tags a run with its command: each command compiles other functions, and V8's cache
 * made after a run holds those it read from the cache too, so the tags only grow).
 * `options.cacheKey` picks one of the bundle's caches (the data path's topic).
 */
function loadBundle(name, env = process.env, options = {}) {
  const vm = require('node:vm');
  const bundle = BUNDLES[name];
  if (!bundle) throw new Error(`no start-up bundle named ${name}`);
  const file = cacheFile(env, bundle.cache, options.cacheKey);
  if (!file) return { exports: require(bundle.file), cacheUsed: false, checkedKeys: undefined, save() {} };
  const checkedKeys = checkedKeyStore(join(dirname(file), 'checked-keys'));
  // Before Node 20.16 a vm.Script cannot import(): plain require, no code cache.
  if (!vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER) return { exports: require(bundle.file), cacheUsed: false, checkedKeys, save: () => checkedKeys.save() };
  // The bytes are hashed as read; an ASCII bundle (the build makes them so) becomes its source
  // text by a copy, where a UTF-8 decode would cost more than the read itself.
  const bytes = fs.readFileSync(bundle.file);
  const bundleHash = sha256(bytes);
  const source = bytes.toString(isAscii?.(bytes) ? 'latin1' : 'utf8');
  const cached = readCache(file, bundleHash);
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundle.file,
    ...(cached ? { cachedData: cached.payload } : {}),
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, require, module, bundle.file, dirname(bundle.file));
  const cacheUsed = cached !== undefined && !script.cachedDataRejected;
  return {
    exports: module.exports,
    cacheUsed,
    checkedKeys,
    save(tag) {
      checkedKeys.save();
      const tags = cacheUsed ? cached.tags : new Set();
      if (cacheUsed && (tag === undefined || tags.has(tag))) return;
      if (tag !== undefined) tags.add(tag);
      writeCache(file, bundleHash, tags, script.createCachedData());
    },
  };
}

/** The `receipts verify` bundle (see loadBundle). */
const loadFastPath = (env = process.env) => loadBundle('fast-path', env);

module.exports = { loadBundle, loadFastPath, cacheDir, cacheFile, TOPIC_BUNDLES };
