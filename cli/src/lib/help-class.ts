import { CommandHelp, Help, type Command } from '@oclif/core';
import { HELP_TOPICS } from './help-topics.js';
import { unknownCommandError } from './help-unknown.js';
import { reflow, wrapCommand } from './help-wrap.js';

// Sections are indented by two columns inside the terminal's width.
const SECTION_INDENT = 2;

/** oclif's command page, its description and examples fitted to the terminal (see help-wrap.ts). */
class ProxygateCommandHelp extends CommandHelp {
  protected override description(): string | undefined {
    const cmd = this.command;
    if (!cmd.description) return undefined;
    // As oclif's: the summary first (unless hidden), then the description.
    const text = this.opts.hideCommandSummaryInDescription
      ? (cmd.description.split(/\r?\n/).at(-1) ?? '')
      : [...(cmd.summary ? [cmd.summary, ''] : []), cmd.description].join('\n');
    return reflow(this.render(text), this.opts.maxWidth - SECTION_INDENT);
  }

  protected override examples(examples: Command.Example[] | string | undefined): string | undefined {
    const list = typeof examples === 'string' ? [examples] : examples;
    // Only one-line command examples (all of this CLI's) are wrapped here; others as oclif does.
    if (!list?.length || !list.every((e) => typeof e === 'string' && !/\r?\n/.test(e))) return super.examples(examples);
    return (list as string[])
      .map((e) => {
        const line = this.render(e);
        return wrapCommand(line.startsWith(this.config.bin) ? `$ ${line}` : line, this.opts.maxWidth - SECTION_INDENT);
      })
      .join('\n\n');
  }
}

/** oclif's help plus a HELP TOPICS section on the root page (loaded only when help is shown). */
export default class ProxygateHelp extends Help {
  protected override CommandHelpClass = ProxygateCommandHelp;
  /** The page's first line (the summary, printed unwrapped by oclif) is the next summary() asked for. */
  private fitNextSummary = false;

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

  override async showCommandHelp(command: Command.Loadable): Promise<void> {
    this.fitNextSummary = true;
    try {
      await super.showCommandHelp(command);
    } finally {
      this.fitNextSummary = false;
    }
  }

  protected override summary(c: Command.Loadable): string | undefined {
    const summary = super.summary(c);
    if (!this.fitNextSummary || summary === undefined) return summary;
    // Lists of subcommands wrap their summaries themselves: only the page's first line is fitted.
    this.fitNextSummary = false;
    return reflow(summary, this.opts.maxWidth);
  }

  /** A help topic's page (`help exit-codes`), fitted to the terminal as the command pages are. */
  renderTopic(text: string): string {
    return reflow(text, this.opts.maxWidth);
  }

  protected override async showRootHelp(): Promise<void> {
    await super.showRootHelp();
    const lines = Object.entries(HELP_TOPICS).map(([name, t]) => `  ${name.padEnd(12)} ${t.summary} (${this.config.bin} help ${name})`);
    this.log(`\nHELP TOPICS\n${this.renderTopic(lines.join('\n'))}`);
  }
}
