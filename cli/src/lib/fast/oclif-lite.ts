// What the data commands use of `@oclif/core` (Command, Flags, Args, Errors), for the start-up
// bundle only: rolldown.config.mjs points `@oclif/core` here in dist/data-path.bundle.cjs, so the
// very command classes oclif runs run without loading oclif (its config, plugins, help and ESM
// loading are most of a data command's start-up). The flag and argument builders make the objects
// oclif's do, and `parse` is oclif's algorithm (argv-parser.ts); whatever that port does not cover
// throws `FallBackToOclif` before the command has done anything, and bin/run.cjs runs oclif.
import { format } from 'node:util';
import { parseArgv, type ArgDef, type FlagDef, type ParserOutput } from './argv-parser.js';

/** Thrown by `parse` when oclif must handle the command line (the command has done nothing yet). */
export class FallBackToOclif extends Error {
  override readonly name = 'FallBackToOclif';
}

type Parse = (input: never, context: never, options: never) => Promise<unknown>;
type FlagOptions = Record<string, unknown> & { multiple?: boolean; allowNo?: boolean };

function custom(defaults: Record<string, unknown> = {}) {
  return (options: FlagOptions = {}): FlagDef => ({
    parse: (async (input: unknown) => input) as Parse,
    ...defaults,
    ...options,
    input: [],
    multiple: Boolean(options.multiple === undefined ? (defaults['multiple'] ?? false) : options.multiple),
    type: 'option',
  }) as FlagDef;
}

const integerParse = async (input: string, _context: unknown, options: { min?: number; max?: number }): Promise<number> => {
  if (!/^-?\d+$/.test(input)) throw new CLIError(`Expected an integer but received: ${input}`);
  const num = Number.parseInt(input, 10);
  if (options.min !== undefined && num < options.min) throw new CLIError(`Expected an integer greater than or equal to ${options.min} but received: ${input}`);
  if (options.max !== undefined && num > options.max) throw new CLIError(`Expected an integer less than or equal to ${options.max} but received: ${input}`);
  return num;
};

export const Flags = {
  custom,
  string: custom(),
  integer: custom({ parse: integerParse }),
  boolean: (options: FlagOptions = {}): FlagDef => ({ parse: (async (b: unknown) => b) as Parse, ...options, allowNo: Boolean(options.allowNo), type: 'boolean' }) as FlagDef,
};

function customArg(defaults: Record<string, unknown> = {}) {
  return (options: Record<string, unknown> = {}): ArgDef => ({ parse: (async (input: unknown) => input) as Parse, ...defaults, ...options, input: [], type: 'option' }) as ArgDef;
}

export const Args = { custom: customArg, string: customArg(), integer: customArg({ parse: integerParse }) };

/** oclif's CLIError as the CLI uses it: a message, `oclif.exit`, `code`, `skipOclifErrorHandling`. */
export class CLIError extends Error {
  code: string | undefined;
  oclif: { exit?: number } = {};
  skipOclifErrorHandling: boolean | undefined;
  constructor(error: string | Error, options: { exit?: number | false; code?: string } = {}) {
    super(error instanceof Error ? error.message : error);
    if (options.exit !== false) this.oclif.exit = options.exit ?? 2;
    this.code = options.code;
  }
}

/** `this.exit(code)`: an error carrying the exit code. */
export class ExitError extends CLIError {
  constructor(exitCode = 1) {
    super(`EEXIT: ${exitCode}`, { exit: exitCode });
  }
}

export const Errors = { CLIError, ExitError };

/** The part of oclif's Config a data command reads. */
export interface LiteConfig {
  bin: string;
  scopedEnvVar(name: string): string | undefined;
}

export function liteConfig(env: NodeJS.ProcessEnv = process.env): LiteConfig {
  return { bin: 'proxygate', scopedEnvVar: (name) => env[`PROXYGATE_${name}`] };
}

const json: FlagDef = Flags.boolean({ description: 'Format output as json.', helpGroup: 'GLOBAL' });

interface CommandClass {
  id?: string | undefined;
  flags?: Record<string, FlagDef> | undefined;
  baseFlags?: Record<string, FlagDef> | undefined;
  args?: Record<string, ArgDef> | undefined;
  enableJsonFlag?: boolean | undefined;
  strict?: boolean | undefined;
}

/** The flags oclif parses for a command: `--json` (when enabled), the base flags, its own. */
export function commandFlags(command: CommandClass): Record<string, FlagDef> {
  const combined = { ...command.baseFlags, ...command.flags };
  return command.enableJsonFlag ? { json, ...combined } : combined;
}

/** oclif's parse of a command's argv with its tables, or undefined where oclif must run. */
export function parseCommandLine(command: CommandClass, argv: readonly string[], context: unknown): Promise<ParserOutput | undefined> {
  return parseArgv(argv, { flags: commandFlags(command), args: command.args ?? {}, strict: command.strict, context });
}

export abstract class Command {
  static id: string | undefined;
  static flags: Record<string, FlagDef> | undefined;
  static baseFlags: Record<string, FlagDef> | undefined;
  static args: Record<string, ArgDef> | undefined;
  static enableJsonFlag = false;
  static strict = true;
  static summary: string | undefined;
  static description: string | undefined;
  static examples: unknown;
  static hidden: boolean | undefined;
  static aliases: string[] = [];

  id: string | undefined;
  parsed = false;

  constructor(
    public argv: string[],
    public config: LiteConfig,
  ) {
    this.id = this.ctor.id;
  }

  get ctor(): typeof Command {
    return this.constructor as typeof Command;
  }

  abstract run(): Promise<unknown>;

  async init(): Promise<void> {}

  async finally(_error: Error | undefined): Promise<void> {}

  async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    process.exitCode = process.exitCode ?? error.exitCode ?? 1;
    if (!this.jsonEnabled()) throw error;
    this.logJson(this.toErrorJson(error));
    return undefined;
  }

  jsonEnabled(): boolean {
    if (!this.ctor.enableJsonFlag) return false;
    if (this.config.scopedEnvVar('CONTENT_TYPE')?.toLowerCase() === 'json') return true;
    const passThrough = this.argv.indexOf('--');
    const at = this.argv.indexOf('--json');
    return passThrough === -1 ? at !== -1 : at !== -1 && at < passThrough;
  }

  log(message: unknown = '', ...args: unknown[]): void {
    if (!this.jsonEnabled()) process.stdout.write(`${format(typeof message === 'string' ? message : format('%O', message), ...args)}\n`);
  }

  logToStderr(message: unknown = '', ...args: unknown[]): void {
    if (!this.jsonEnabled()) process.stderr.write(`${format(typeof message === 'string' ? message : format('%O', message), ...args)}\n`);
  }

  logJson(value: unknown): void {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  warn(input: string | Error): string | Error {
    if (!this.jsonEnabled()) process.stderr.write(` ›   Warning: ${input instanceof Error ? input.message : input}\n`);
    return input;
  }

  error(input: string | Error, options: { exit?: number | false; code?: string } = {}): never {
    throw new CLIError(input, options);
  }

  exit(code = 0): never {
    throw new ExitError(code);
  }

  toErrorJson(error: unknown): unknown {
    return error instanceof Error ? { error: { ...error, message: error.message, name: error.name } } : { error };
  }

  toSuccessJson(result: unknown): unknown {
    return result;
  }

  // oclif's signature: `parse(CommandClass, argv?)`; the output has the fields the commands read.
  protected async parse(options?: CommandClass, argv: string[] = this.argv): Promise<never> {
    const command = options ?? (this.ctor as CommandClass);
    const parsed = await parseCommandLine(command, argv, this);
    if (!parsed) throw new FallBackToOclif('the command line needs oclif');
    this.argv = [...argv];
    this.parsed = true;
    return parsed as never;
  }
}
