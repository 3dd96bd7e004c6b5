#!/usr/bin/env node
'use strict';
// CommonJS on purpose: an ESM entry costs ~4 ms more to start, and `receipts verify` runs in CI
// loops. oclif itself is still loaded as ESM below.

// Reuse V8's compile cache between runs (Node >= 22.1; a no-op before).
require('node:module').enableCompileCache?.();

// Ctrl-C exits 130 (128 + SIGINT) without a stack trace, as shells expect.
process.once('SIGINT', () => {
  process.stderr.write('\ninterrupted\n');
  process.exit(130);
});

const argv = process.argv.slice(2);

// The two hottest invocations skip loading oclif (most of the start-up time); same output.
if (argv[0] === '--version') {
  const pjson = require('../package.json');
  const arch = process.arch === 'ia32' ? 'x86' : process.arch;
  const line = `${pjson.name}/${pjson.version} ${process.platform}-${arch} node-${process.version}\n`;
  try {
    require('node:fs').writeSync(1, line);
  } catch (error) {
    // A non-blocking pipe that is full: Node's stream waits for it. A closed reader: nothing to say.
    if (error.code !== 'EPIPE') process.stdout.write(line);
  }
} else if (argv[0] === 'receipts' && argv[1] === 'verify' && !process.env.DEBUG) {
  const fastPath = require('./fast-path-loader.cjs').loadFastPath();
  fastPath.exports
    .runVerifyFastPath(argv.slice(2), { checkedKeys: fastPath.checkedKeys })
    .then((code) => {
      if (code === undefined) return runOclif();
      // A failed write may have set it already: keep the failure.
      if (!process.exitCode) process.exitCode = code;
      fastPath.save();
    })
    .catch((error) => {
      process.exitCode = 1;
      process.stderr.write(`error: ${error?.code ?? 'failure'}: ${error?.message ?? error}\n`);
    });
} else {
  void runOclif();
}

async function runOclif() {
  // `proxygate apis --all | head -1`: a reader that stops early is not an error.
  process.stdout.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  const { execute } = await import('@oclif/core');
  await execute({ dir: __dirname });
}
