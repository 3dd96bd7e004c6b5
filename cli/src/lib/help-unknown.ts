import type { Config, Errors } from '@oclif/core';
import { jsonRequested, UsageError } from './errors.js';
import { guessCommandLine, quoteAlternatives, takesNoArguments } from './help-suggest.js';
import { reportedFailure } from './unhandled-errors.js';

/**
 * Words oclif could not match to a command, whether to run it (the command_not_found hook) or to
 * show its help (`apsi --help`, the help class). Like every other CLI error: one line, exit 2
 * (usage), and under --json the error object on stdout too. The words are either a command with
 * an argument it does not take (`balance extra`), a typo (`apsi`: "did you mean"), or unknown.
 * Writes the line and returns the error to throw (already reported: oclif prints nothing more).
 */
export function unknownCommandError(config: Pick<Config, 'bin' | 'commands' | 'topics'>, words: readonly string[], argv: readonly string[] | undefined): Errors.CLIError {
  const visible = config.commands.filter((c) => !c.hidden);
  const withArgs = new Set(visible.filter((c) => c.strict === false || Object.keys(c.args ?? {}).length > 0).map((c) => c.id));
  const topics = config.topics.filter((t) => !t.hidden).map((t) => t.name);
  const guess = guessCommandLine(words, visible.map((c) => c.id), topics, withArgs);
  const typed = words.join(' ');
  let message: string;
  let action: string;
  if (guess.unexpected) {
    // oclif's own words for an extra argument of a command that takes some ("Unexpected argument: x").
    message = `Unexpected argument: ${guess.unexpected.argument}`;
    action = takesNoArguments(config.bin, guess.unexpected.command);
  } else if (guess.suggestions.length > 0) {
    message = `unknown command "${typed}"`;
    action = `did you mean ${quoteAlternatives(config.bin, guess.suggestions)}? run "${config.bin} --help" for the list`;
  } else {
    // `receipts frob`: the topic is right; its own help lists what it holds.
    const topic = longestTopic(words, new Set(topics));
    message = `unknown command "${typed}"`;
    action = topic ? `run "${config.bin} ${topic} --help" for the ${topic} commands` : `run "${config.bin} --help" for the list`;
  }
  return reportedFailure(new UsageError(message, action), jsonRequested(argv));
}

function longestTopic(words: readonly string[], topics: ReadonlySet<string>): string | undefined {
  for (let n = words.length - 1; n >= 1; n--) if (topics.has(words.slice(0, n).join(':'))) return words.slice(0, n).join(' ');
  return undefined;
}
