import { Config } from '@oclif/core';
import { normalizeArgv } from '@oclif/core/help';
import { formatErrorLine, toCliError } from './errors.js';

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
  const failure = toCliError(error, { commandId: await commandOf(argv, root) });
  process.stderr.write(`${formatErrorLine(failure)}\n`);
  const end = argv.indexOf('--');
  const json = (end === -1 ? argv : argv.slice(0, end)).includes('--json') || process.env['PROXYGATE_CONTENT_TYPE']?.toLowerCase() === 'json';
  if (json) {
    const body = { code: failure.code, message: failure.message, ...(failure.action ? { action: failure.action } : {}), exit_code: failure.exitCode };
    process.stdout.write(`${JSON.stringify({ error: body }, null, 2)}\n`);
  }
  return Object.assign(new Error(failure.message), { oclif: { exit: failure.exitCode }, skipOclifErrorHandling: true });
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
