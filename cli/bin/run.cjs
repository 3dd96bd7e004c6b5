#!/usr/bin/env node
'use strict';
// CommonJS on purpose: an ESM entry costs ~4 ms more to start, and scripts run the CLI in loops.
// oclif itself is still loaded as ESM below. See cli/README.md "Start-up".

// Reuse V8's compile cache between runs (Node >= 22.1; before, node:module is not even loaded:
// it starts parts of the ESM loader, ~1 ms).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major > 22 || (major === 22 && minor >= 1)) require('node:module').enableCompileCache?.();

// Ctrl-C exits 130 (128 + SIGINT) without a stack trace, as shells expect.
process.once('SIGINT', () => {
  process.stderr.write('\ninterrupted\n');
  process.exit(130);
});

const argv = process.argv.slice(2);

// The data commands' topics (first words): dist/data-*.bundle.cjs run them without oclif
// (src/data-path.ts); bin/fast-path-loader.cjs knows which bundle runs which (a test checks both).
const DATA_TOPICS = new Set(['apis', 'balance', 'call', 'categories', 'pricing', 'receipts', 'services', 'tokens', 'usage']);
// oclif hooks that cannot change how a data command runs (this one runs only for an unknown
// command, which the data path hands back). Any other hook: oclif runs every command.
const HOOKS_THE_DATA_PATH_KEEPS = new Set(['command_not_found']);

// The hot invocations skip loading oclif (most of the start-up time); same output, same exit code.
if (argv[0] === '--version' && argv.length === 1) {
  const pjson = require('../package.json');
  const arch = process.arch === 'ia32' ? 'x86' : process.arch;
  const line = `${pjson.name}/${pjson.version} ${process.platform}-${arch} node-${process.version}\n`;
  try {
    require('node:fs').writeSync(1, line);
  } catch (error) {
    // A non-blocking pipe that is full: Node's stream waits for it. A closed reader: nothing to say.
    if (error.code !== 'EPIPE') process.stdout.write(line);
  }
} else if (DATA_TOPICS.has(argv[0]) && !process.env.DEBUG && !argv.some((arg) => arg === '--help' || arg === '-h' || arg === '--') && dataPathKeepsHooks()) {
  runFastPaths().catch((error) => {
    process.exitCode = 1;
    process.stderr.write(`error: ${error?.code ?? 'failure'}: ${error?.message ?? error}\n`);
  });
} else if (argv[0] === '--version') {
  // `--version --help`, `--version extra`: the version command's help, or its refusal.
  void runOclif(['version', ...argv.slice(1)]);
} else {
  void runOclif();
}

/** `receipts verify`'s own path, then the data path, then oclif: each hands back what it does not do as oclif would. */
async function runFastPaths() {
  const loader = require('./fast-path-loader.cjs');
  if (argv[0] === 'receipts' && argv[1] === 'verify') {
    const verify = load(loader, 'fast-path');
    const code = verify && (await verify.exports.runVerifyFastPath(argv.slice(2), { checkedKeys: verify.checkedKeys }));
    if (code !== undefined) {
      // A failed write may have set it already: keep the failure.
      if (!process.exitCode) process.exitCode = code;
      verify.save();
      return;
    }
  }
  const data = load(loader, loader.TOPIC_BUNDLES[argv[0]]);
  if (!data) return runOclif();
  // `proxygate apis --all | head -1`: a reader that stops early is not an error.
  process.stdout.on('error', onStdoutError);
  const outcome = await data.exports.runDataPath(argv, { checkedKeys: data.checkedKeys });
  if (outcome === undefined) {
    process.stdout.off('error', onStdoutError);
    return runOclif();
  }
  data.save(outcome.id);
  if (!process.exitCode) process.exitCode = outcome.exitCode;
  // oclif exits at once after a failure (work still pending is dropped): so does this path.
  if (outcome.failed) process.exit(outcome.exitCode);
}

/** A start-up bundle, or undefined when it cannot load (a build in progress): oclif runs the same commands. */
function load(loader, name) {
  try {
    // One code cache per topic: `apis` never reads the code `pricing` compiled.
    return loader.loadBundle(name, process.env, name.startsWith('data-') ? { cacheKey: argv[0] } : {});
  } catch {
    return undefined;
  }
}

/** True when every oclif hook of this CLI is one the data path may skip. */
function dataPathKeepsHooks() {
  const hooks = require('../package.json').oclif?.hooks ?? {};
  return Object.keys(hooks).every((name) => HOOKS_THE_DATA_PATH_KEEPS.has(name));
}

function onStdoutError(error) {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
}

/** oclif's execute(), except that an error it would print styled over several lines is the CLI's one line. */
async function runOclif(args = argv) {
  process.stdout.on('error', onStdoutError);
  const oclif = await import('@oclif/core');
  try {
    await oclif.run(args, __dirname);
    oclif.flush();
  } catch (error) {
    let handled = error;
    try {
      handled = await (await import('../dist/lib/unhandled-errors.js')).reportUnhandled(error, args, __dirname);
    } catch {
      // A build in progress: oclif's own words.
    }
    await oclif.handle(handled);
  }
}
