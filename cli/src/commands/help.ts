import { Args, Command, Errors } from '@oclif/core';
import { UsageError } from '../lib/errors.js';
import { guessCommandLine, quoteAlternatives } from '../lib/help-suggest.js';
import { HELP_TOPICS } from '../lib/help-topics.js';
import { reportedFailure } from '../lib/unhandled-errors.js';

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
    // The CLI's help class (package.json oclif.helpClass) by import(), not oclif's loadHelpClass: that
    // path import()s dist/ beside the sources, which in-process tests cannot resolve the SDK from.
    const { default: Help } = await import('../lib/help-class.js');
    const help = new Help(this.config, this.config.pjson.oclif.helpOptions ?? {});
    if (topic) {
      process.stdout.write(help.renderTopic(topic.render()));
      return;
    }
    // `help apis extra`: oclif's help would show the apis page and say nothing of the rest.
    const known = (id: string) => Boolean(this.config.findCommand(id) || this.config.findTopic(id) || (!id.includes(':') && Object.hasOwn(HELP_TOPICS, id)));
    if (words.length > 1 && !known(words.join(':'))) {
      for (let n = words.length - 1; n >= 1; n--) {
        if (!known(words.slice(0, n).join(':'))) continue;
        throw this.usageError(`Unexpected argument: ${words[n]}`, `"${this.config.bin} help" takes one command or topic; see "${this.config.bin} help --help"`);
      }
    }
    // oclif's styled " ›   Error: Command x not found." becomes the CLI's one usage line.
    help.unknownSubject = () => {
      const visible = this.config.commands.filter((c) => !c.hidden).map((c) => c.id);
      const names = [...visible, ...this.config.topics.filter((t) => !t.hidden).map((t) => t.name), ...Object.keys(HELP_TOPICS)];
      const { suggestions } = guessCommandLine(words, names, []);
      const hint = suggestions.length > 0 ? `did you mean ${quoteAlternatives(`${this.config.bin} help`, suggestions)}? ` : '';
      return this.usageError(`no command or help topic "${words.join(' ')}"`, `${hint}run "${this.config.bin} --help" for the list`);
    };
    await help.showHelp(words);
  }

  /** One usage line on stderr (help has no --json); the error to throw (exit 2, nothing more printed). */
  private usageError(message: string, action: string): Errors.CLIError {
    return reportedFailure(new UsageError(message, action), false);
  }
}
