import { Args, Command, Errors, loadHelpClass } from '@oclif/core';
import { ExitCode } from '../lib/exit-codes.js';
import { HELP_TOPICS } from '../lib/help-topics.js';

export default class HelpCommand extends Command {
  static override summary = 'show help for a command or a help topic';
  static override description = `Help topics:
${Object.entries(HELP_TOPICS)
  .map(([name, topic]) => `  ${name.padEnd(12)} ${topic.summary}`)
  .join('\n')}`;
  static override examples = ['<%= config.bin %> help environment', '<%= config.bin %> help exit-codes', '<%= config.bin %> help receipts verify'];
  static override strict = false;
  static override args = { command: Args.string({ ignoreStdin: true, description: 'command or help topic', required: false }) };

  async run(): Promise<void> {
    const { argv } = await this.parse(HelpCommand);
    const words = argv as string[];
    const topic = words.length === 1 ? HELP_TOPICS[words[0] ?? ''] : undefined;
    if (topic) {
      process.stdout.write(topic.render());
      return;
    }
    const Help = await loadHelpClass(this.config);
    try {
      await new Help(this.config, this.config.pjson.oclif.helpOptions ?? {}).showHelp(words);
    } catch (error) {
      if (!(error instanceof Error) || !/not found/i.test(error.message)) throw error;
      // oclif's styled " ›   Error: Command x not found." becomes the CLI's one usage line.
      process.stderr.write(`usage_error: no command or help topic "${words.join(' ')}" (run "${this.config.bin} --help" for the list)\n`);
      const exit = new Errors.CLIError(`unknown help subject ${words.join(' ')}`, { exit: ExitCode.usage });
      exit.skipOclifErrorHandling = true;
      throw exit;
    }
  }
}
