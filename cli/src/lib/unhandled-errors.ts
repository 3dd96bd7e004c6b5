import { Config, Errors } from '@oclif/core';
import { normalizeArgv } from '@oclif/core/help';
import { errorJsonOutput, formatErrorLine, jsonRequested, toCliError, type CliError } from './errors.js';

/**
 * An error that reached oclif's handler without being reported: a plugin's command
 * (`autocomplete fish`), a command not built on BaseCommand, oclif itself. oclif would print it
 * styled over several lines, often followed by the usage; the CLI prints its one line
 * `code: message (action)` (and the JSON error under --json) instead. Returns what oclif's
 * `handle` should get: an error that only carries the exit code, or the original where oclif's
 * own handling is wanted (DEBUG's stack traces, `this.exit()`, one already reported).
 */
export async function reportUnhandled(error: unknown, argv: readonly string[], root: string): Promise<unknown> {
  if (process.env['DEBUG'] || !(error instanceof Error)) return error;
  const e = error as Error & { skipOclifErrorHandling?: boolean; code?: unknown };
  if (e.skipOclifErrorHandling || e.code === 'EEXIT' || e.message === 'SIGINT') return error;
  return reportedFailure(toCliError(error, { commandId: await commandOf(argv, root) }), jsonRequested(argv));
}

/**
 * Reports a failure outside a command's own catch (oclif's hooks, its help, its handler) as a
 * command would: its line on stderr, the JSON error on stdout when `json`. Returns the error to
 * throw or hand to oclif: it carries the exit code, and oclif prints nothing more.
 */
export function reportedFailure(failure: CliError, json: boolean): Errors.CLIError {
  process.stderr.write(`${formatErrorLine(failure)}\n`);
  if (json) process.stdout.write(`${JSON.stringify(errorJsonOutput(failure), null, 2)}\n`);
  const exit = new Errors.CLIError(failure.message, { exit: failure.exitCode });
  exit.skipOclifErrorHandling = true;
  return exit;
}

/**
 * The command the line names, for the action's "see ... --help" (some of oclif's errors carry no
 * command). oclif's configuration is loaded again: only on this path, after a failure.
 */
async function commandOf(argv: readonly string[], root: string): Promise<string | undefined> {
  try {
    const config = await Config.load(root);
    const [id] = normalizeArgv(config, [...argv]);
    return id !== undefined && config.findCommand(id) ? id : undefined;
  } catch {
    return undefined;
  }
}
