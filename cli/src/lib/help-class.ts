import { Help } from '@oclif/core';
import { HELP_TOPICS } from './help-topics.js';
import { unknownCommandError } from './help-unknown.js';

/** oclif's help plus a HELP TOPICS section on the root page (loaded only when help is shown). */
export default class ProxygateHelp extends Help {
  /**
   * What help for words that name nothing becomes. By default what running them says (`apsi
   * --help` as `apsi`: "did you mean", one line, exit 2); `help WORDS` words it its own way.
   */
  unknownSubject: (words: string[], argv: string[]) => Error = (words, argv) => unknownCommandError(this.config, words, argv);

  override async showHelp(argv: string[]): Promise<void> {
    try {
      await super.showHelp(argv);
    } catch (error) {
      // oclif's styled " ›   Error: Command x not found." (its only way to say it).
      const subject = error instanceof Error ? /^Command (\S+) not found\.?$/.exec(error.message)?.[1] : undefined;
      if (subject === undefined) throw error;
      throw this.unknownSubject(subject.split(':'), argv);
    }
  }

  protected override async showRootHelp(): Promise<void> {
    await super.showRootHelp();
    const lines = Object.entries(HELP_TOPICS).map(([name, t]) => `  ${name.padEnd(12)} ${t.summary} (${this.config.bin} help ${name})`);
    this.log(`\nHELP TOPICS\n${lines.join('\n')}`);
  }
}
