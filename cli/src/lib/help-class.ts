import { Help } from '@oclif/core';
import { HELP_TOPICS } from './help-topics.js';

/** oclif's help plus a HELP TOPICS section on the root page (loaded only when help is shown). */
export default class ProxygateHelp extends Help {
  /** The root list also names `version` (oclif's version flag as a word, not a command class). */
  protected override formatCommands(commands: Parameters<Help['formatCommands']>[0]): string {
    if (!commands.some((c) => c.id === 'help')) return super.formatCommands(commands);
    const version = { ...commands.find((c) => c.id === 'help')!, id: 'version', summary: "print the CLI's version (as --version)", description: '', aliases: [] };
    return super.formatCommands([...commands, version].sort((a, b) => a.id.localeCompare(b.id)));
  }

  protected override async showRootHelp(): Promise<void> {
    await super.showRootHelp();
    const lines = Object.entries(HELP_TOPICS).map(([name, t]) => `  ${name.padEnd(12)} ${t.summary} (${this.config.bin} help ${name})`);
    this.log(`\nHELP TOPICS\n${lines.join('\n')}`);
  }
}
