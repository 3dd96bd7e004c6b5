import type { Hook } from '@oclif/core';
import { unknownCommandError } from '../lib/help-unknown.js';

// Words oclif could not match to a command: one usage line with "did you mean" (lib/help-unknown.ts,
// which `WORDS --help` shares).
const hook: Hook.CommandNotFound = async function (options) {
  throw unknownCommandError(options.config, options.id.split(':'), options.argv);
};

export default hook;
