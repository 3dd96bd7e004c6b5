#!/usr/bin/env node
// Fast start: reuse V8's compile cache between runs (Node >= 22.1; a no-op before).
import module from 'node:module';
module.enableCompileCache?.();

// Ctrl-C exits 130 (128 + SIGINT) without a stack trace, as shells expect.
process.once('SIGINT', () => {
  process.stderr.write('\ninterrupted\n');
  process.exit(130);
});

// `proxygate apis --all | head -1`: a reader that stops early is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const argv = process.argv.slice(2);

// The two hottest invocations skip loading oclif (most of the start-up time); same output.
if (argv[0] === '--version') {
  const { readFileSync } = await import('node:fs');
  const pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const arch = process.arch === 'ia32' ? 'x86' : process.arch;
  process.stdout.write(`${pjson.name}/${pjson.version} ${process.platform}-${arch} node-${process.version}\n`);
  process.exit(0);
}
if (argv[0] === 'receipts' && argv[1] === 'verify' && !process.env.DEBUG) {
  const { runVerifyFastPath } = await import('../dist/fast-path.bundle.js');
  const code = await runVerifyFastPath(argv.slice(2));
  if (code !== undefined) {
    process.exitCode = code;
  } else {
    await runOclif();
  }
} else {
  await runOclif();
}

async function runOclif() {
  const { execute } = await import('@oclif/core');
  await execute({ dir: import.meta.url });
}
