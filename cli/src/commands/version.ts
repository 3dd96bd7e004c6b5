import { OutputCommand } from '../lib/base-command.js';

// A command, not oclif's version flag given as a word (package.json additionalVersionFlags): that
// printed the version whatever followed (`version --help`, `version foo`). bin/run.cjs answers a
// bare `--version` itself and hands `--version WORDS` (`--version --json`) here.
// An OutputCommand for its --json (plain JSON, a JSON error), without connection flags it never uses.
export default class Version extends OutputCommand {
  static override summary = "print the CLI's version (as --version)";
  static override description = 'Prints "@proxygate-kit/cli/VERSION PLATFORM-ARCH node-NODE_VERSION", the line to quote in a bug report; with --json, the same as an object.';
  static override examples = ['<%= config.bin %> version', '<%= config.bin %> version --json'];
  static override enableJsonFlag = true;

  async run(): Promise<{ name: string; version: string; platform: string; arch: string; node: string }> {
    await this.parse(Version);
    this.out(this.config.userAgent);
    // The parts of the line above, as oclif's config has them (arch `x86` for ia32, as in the line).
    return { name: this.config.name, version: this.config.version, platform: this.config.platform, arch: this.config.arch, node: process.version };
  }
}
