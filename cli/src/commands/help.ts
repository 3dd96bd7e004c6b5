import { Args, Command, loadHelpClass } from '@oclif/core';
import { HELP_TOPICS } from '../lib/help-topics.js';

export default class HelpCommand extends Command {
  static override summary = 'show help for a command or a help topic';
  static override description = `Help topics:
${Object.entries(HELP_TOPICS)
  .map(([name, topic]) => `  ${name.padEnd(12)} ${topic.summary}`)
  .join('\n')}`;
  static override examples = ['<%= config.bin %> help environment', '<%= config.bin %> help exit-codes', '<%= config.bin %> help receipts verify'];
  static override strict = false;
  static override args = { command: Args.string({ description: 'command or help topic', required: false }) };

  async run(): Promise<void> {
    const { argv } = await this.parse(HelpCommand);
    const words = argv as string[];
    const topic = words.length === 1 ? HELP_TOPICS[words[0] ?? ''] : undefined;
    if (topic) {
      process.stdout.write(topic.render());
      return;
    }
    const Help = await loadHelpClass(this.config);
    await new Help(this.config, this.config.pjson.oclif.helpOptions ?? {}).showHelp(words);
  }
}
