// The start-up paths as one CommonJS file each: require() of one file starts faster than Node's
// ESM loader walking the SDK's modules (see bin/run.cjs and README "Start-up"). Both are ASCII
// (`charset`): bin/fast-path-loader.cjs then makes their source text from the bytes it hashes
// with a plain copy (a UTF-8 decode of the data bundle costs more than reading it).
// - dist/fast-path.bundle.cjs: the common forms of `receipts verify`.
// - dist/data-<group>.bundle.cjs: the data commands' classes, run without oclif: `@oclif/core` is
//   src/lib/fast/oclif-lite.ts in them and `zod/mini` is src/lib/fast/zod-lite.ts (a test checks
//   they hold neither oclif, zod nor the MCP SDK).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'rolldown';

const built = (path) => fileURLToPath(new URL(path, import.meta.url));

// Built-ins a path never calls (the verifier pool's worker_threads, os) must not be required at
// start-up just because a re-exporting module imports them.
// Other modules follow their package.json `sideEffects` (the SDK's is false), so a module that
// re-exports one SDK function (lazy/money.ts) brings that function, not the SDK's client.
const treeshake = { moduleSideEffects: (_id, external) => (external ? false : undefined) };

// Built-ins the data commands import but a run rarely calls (the keychain's child_process, the
// verifier pool's worker_threads, readline for line input, https for https gateways only,
// module for createRequire on a compressed answer or an answer zod must judge): each
// is required on first use instead of at start-up, where loading them costs several ms.
// The bundle reads imported names as properties of the module object at each use
// (`(0, m.spawn)(...)`), so a stand-in object that requires the module on first read is the same.
const LAZY_BUILTINS = ['node:child_process', 'node:worker_threads', 'node:readline', 'node:https', 'node:os', 'node:dgram', 'node:tls', 'node:module'];
const LAZY_HELPER = `function __lazyBuiltin(id){let m;const l=()=>m??=require(id);return new Proxy({},{get:(_,k)=>l()[k],has:(_,k)=>k in l(),ownKeys:()=>Reflect.ownKeys(l()),getOwnPropertyDescriptor:(_,k)=>{const d=Reflect.getOwnPropertyDescriptor(l(),k);return d&&{...d,configurable:true}}})}\n`;

/**
 * Built-ins as the data path loads them: the listed ones lazily (see LAZY_BUILTINS), and those
 * the SDK and the CLI load with `await import(...)` (node:crypto for receipt signatures, chosen at
 * run time) by require(): the first import() of a process starts Node's ESM loader, several ms.
 * A built-in's require() has the same functions as its import() namespace.
 */
function builtinLoading() {
  return {
    name: 'builtin-loading',
    renderChunk(code) {
      let changed = false;
      // Only the bundle's own top-level bindings (`let node_os = require("node:os");`), never text
      // inside a string (the verifier pool's worker source requires worker_threads itself).
      let out = code.replace(/^(let|var|const) ([\w$]+) = require\("(node:[a-z_/]+)"\);$/gm, (line, kind, name, id) => {
        if (!LAZY_BUILTINS.includes(id)) return line;
        changed = true;
        return `${kind} ${name} = __lazyBuiltin(${JSON.stringify(id)});`;
      });
      // `import("node:x")`, and `import(NAME)` where the bundle sets NAME = "node:x" (with the
      // bundler comments the SDK puts there).
      const constants = new Map([...out.matchAll(/^\s*([\w$]+) = "(node:[a-z_/]+)";$/gm)].map((m) => [m[1], m[2]]));
      out = out.replace(/\bimport\(\s*(?:\/\*[^*]*\*\/\s*)*(?:"(node:[a-z_/]+)"|([\w$]+))\s*\)/g, (call, literal, name) => {
        const id = literal ?? constants.get(name);
        if (!id) return call;
        changed = true;
        return `Promise.resolve(require(${JSON.stringify(id)}))`;
      });
      if (!changed) return null;
      // After the "use strict" directive, if any, so it stays the first statement.
      const strict = /^(\s*(?:(['"])use strict\2;?\s*))/.exec(out);
      return strict ? `${strict[1]}${LAZY_HELPER}${out.slice(strict[1].length)}` : `${LAZY_HELPER}${out}`;
    },
  };
}

const CLASS_NAMES = { function: false, class: true };

/** A name a module imports that its target lacks would be `undefined` at run time: fail the build instead. */
function onLog(level, log, handler) {
  if (log.code === 'MISSING_EXPORT' || log.code === 'IMPORT_IS_UNDEFINED') return handler('error', log);
  return handler(level, log);
}

// The data commands' groups (src/data-path.ts), one bundle each: dist/data-<group>.bundle.cjs
// runs its group's commands and holds only what they use (bin/fast-path-loader.cjs picks it by
// topic). Its entry is a module made here: runCommands with the group's command table.
const DATA_GROUPS = { catalog: 'CATALOG_COMMANDS', call: 'CALL_COMMANDS', account: 'ACCOUNT_COMMANDS', receipts: 'RECEIPTS_COMMANDS' };
const ENTRY = '\0data-group:';

function dataGroupEntries() {
  return {
    name: 'data-group-entries',
    resolveId: (id) => (id.startsWith(ENTRY) ? id : null),
    load(id) {
      if (!id.startsWith(ENTRY)) return null;
      const table = DATA_GROUPS[id.slice(ENTRY.length)];
      return `import { runCommands, ${table} } from ${JSON.stringify(built('dist/data-path.js'))};\nexport const runDataPath = (argv, options = {}) => runCommands(argv, options, ${table});\n`;
    },
  };
}

export default defineConfig([
  {
    input: 'dist/fast-path.js',
    platform: 'node',
    treeshake,
    onLog,
    output: { file: 'dist/fast-path.bundle.cjs', format: 'cjs', codeSplitting: false, minify: true, charset: 'ascii' },
  },
  ...Object.keys(DATA_GROUPS).map((group) => ({
    input: `${ENTRY}${group}`,
    platform: 'node',
    resolve: { alias: { '@oclif/core': built('dist/lib/fast/oclif-lite.js'), 'zod/mini': built('dist/lib/fast/zod-lite.js') } },
    treeshake,
    onLog,
    plugins: [dataGroupEntries(), builtinLoading()],
    // Class names stay (not function names: 25 kB more): the CLI maps SDK errors to exit codes
    // and words by their class name.
    output: { file: `dist/data-${group}.bundle.cjs`, format: 'cjs', codeSplitting: false, minify: { compress: { keepNames: CLASS_NAMES }, mangle: { keepNames: CLASS_NAMES } }, charset: 'ascii' },
  })),
]);
