import { Errors, type Hook } from '@oclif/core';
import { ExitCode } from '../lib/exit-codes.js';

// An unknown command is a usage error: one line and exit 2, like every other CLI error.
const hook: Hook.CommandNotFound = async function (options) {
  const typed = options.id.split(':').join(' ');
  process.stderr.write(`usage_error: unknown command "${typed}" (run "${options.config.bin} --help" for the list)\n`);
  const exit = new Errors.CLIError(`unknown command ${typed}`, { exit: ExitCode.usage });
  exit.skipOclifErrorHandling = true;
  throw exit;
};

export default hook;
