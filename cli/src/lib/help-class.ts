import { Help } from '@oclif/core';
import { HELP_TOPICS } from './help-topics.js';

/** oclif's help plus a HELP TOPICS section on the root page (loaded only when help is shown). */
export default class ProxygateHelp extends Help {
  protected override async showRootHelp(): Promise<void> {
    await super.showRootHelp();
    const lines = Object.entries(HELP_TOPICS).map(([name, t]) => `  ${name.padEnd(12)} ${t.summary} (${this.config.bin} help ${name})`);
    this.log(`\nHELP TOPICS\n${lines.join('\n')}`);
  }
}
