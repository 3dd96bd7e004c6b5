import { Command } from '@oclif/core';

// A command, not oclif's version flag given as a word (package.json additionalVersionFlags): that
// printed the version whatever followed (`version --help`, `version foo`). bin/run.cjs answers a
// bare `--version` itself and hands `--version WORDS` here.
export default class Version extends Command {
  static override summary = "print the CLI's version (as --version)";
  static override description = 'Prints "@proxygate-kit/cli/VERSION PLATFORM-ARCH node-NODE_VERSION", the line to quote in a bug report.';
  static override examples = ['<%= config.bin %> version'];

  async run(): Promise<void> {
    await this.parse(Version);
    process.stdout.write(`${this.config.userAgent}\n`);
  }
}
