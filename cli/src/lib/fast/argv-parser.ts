// The command-line parser of the start-up fast path: oclif's own algorithm (@oclif/core
// lib/parser/parse.js and validate.js), run on the command's oclif flag and argument tables, for
// the forms a script writes. Whatever oclif would refuse, and whatever this port does not cover
// (help, `--`, stdin arguments, flag relationships, env flags), gives `undefined`: the caller then
// runs oclif, which prints its own words for it. A test runs both parsers on the same command lines.

/** A flag as oclif's `Flags.*` builders make it (the fields the parser reads). */
export interface FlagDef {
  type: 'option' | 'boolean';
  char?: string | undefined;
  aliases?: readonly string[] | undefined;
  charAliases?: readonly string[] | undefined;
  allowNo?: boolean | undefined;
  multiple?: boolean | undefined;
  multipleNonGreedy?: boolean | undefined;
  delimiter?: string | undefined;
  allowStdin?: boolean | 'only' | undefined;
  options?: readonly string[] | undefined;
  default?: unknown;
  defaultHelp?: unknown;
  env?: string | undefined;
  required?: boolean | undefined;
  dependsOn?: unknown;
  exclusive?: unknown;
  exactlyOne?: unknown;
  atLeastOne?: unknown;
  combinable?: unknown;
  relationships?: unknown;
  deprecated?: unknown;
  deprecateAliases?: unknown;
  parse?: ((input: never, context: never, options: never) => unknown) | undefined;
}

/** An argument as oclif's `Args.*` builders make it. */
export interface ArgDef {
  required?: boolean | undefined;
  multiple?: boolean | undefined;
  options?: readonly string[] | undefined;
  default?: unknown;
  ignoreStdin?: boolean | undefined;
  parse?: ((input: never, context: never, options: never) => unknown) | undefined;
}

export interface ParserInput {
  flags: Record<string, FlagDef>;
  args: Record<string, ArgDef>;
  /** oclif's `static strict` (default true): extra arguments are an error. */
  strict?: boolean | undefined;
  /** Handed to flag and argument `parse` functions, as oclif hands the command. */
  context?: unknown;
}

export interface ParserOutput {
  args: Record<string, unknown>;
  flags: Record<string, unknown>;
  argv: unknown[];
  raw: Array<{ type: 'flag'; flag: string; input: string } | { type: 'arg'; arg: string | undefined; input: string }>;
  metadata: { flags: Record<string, { setFromDefault: true }> };
  nonExistentFlags: string[];
}

const NEGATION = '--no-';

/**
 * The first `--name=value` of a command line that gives a value to a boolean flag (or its `--no-`
 * form): oclif takes the flag and makes the value an argument (`apis --verified=true` searched for
 * "true"), so the CLI refuses the line instead (BaseCommand.parse). A word an option flag takes as
 * its value is skipped; nothing after `--` is a flag.
 */
export function booleanGivenValue(argv: readonly string[], flags: Readonly<Record<string, Pick<FlagDef, 'type' | 'char' | 'allowNo'>>>): string | undefined {
  const named = (name: string) => (Object.hasOwn(flags, name) ? flags[name] : undefined);
  let takesValue = false;
  for (const token of argv) {
    if (takesValue) {
      takesValue = false;
      continue;
    }
    if (token === '--') return undefined;
    if (!token.startsWith('--')) {
      // `-X GET`: an option's short name takes the next word (`-XGET` holds its value).
      if (/^-[^-]$/.test(token)) takesValue = Object.values(flags).some((flag) => flag.char === token[1] && flag.type === 'option');
      continue;
    }
    const eq = token.indexOf('=');
    const name = token.slice(2, eq === -1 ? undefined : eq);
    if (eq === -1) {
      takesValue = named(name)?.type === 'option';
      continue;
    }
    const negated = name.startsWith('no-') ? named(name.slice(3)) : undefined;
    if (named(name)?.type === 'boolean' || (negated?.type === 'boolean' && negated.allowNo)) return token;
  }
  return undefined;
}

/** Parses `argv` as oclif would, or returns undefined where oclif would fail or do more. */
export async function parseArgv(argvIn: readonly string[], input: ParserInput): Promise<ParserOutput | undefined> {
  const flags = input.flags;
  if (!isCovered(input)) return undefined;
  // Refused by the CLI before oclif parses (BaseCommand.parse), in its words.
  if (booleanGivenValue(argvIn, flags) !== undefined) return undefined;
  const argv = [...argvIn];
  const raw: ParserOutput['raw'] = [];
  let current: FlagDef | undefined;
  const nameOf = new Map(Object.entries(flags).map(([name, flag]) => [flag, name]));

  const findFlag = (arg: string): { isLong: boolean; name: string | undefined } => {
    const isLong = arg.startsWith('--');
    if (isLong) {
      const long = arg.slice(2);
      if (Object.hasOwn(flags, long)) return { isLong, name: long };
      if (arg.startsWith(NEGATION)) {
        const negated = arg.slice(NEGATION.length);
        const flag = Object.hasOwn(flags, negated) ? flags[negated] : undefined;
        if (flag?.type === 'boolean' && flag.allowNo) return { isLong, name: negated };
      }
      return { isLong, name: undefined };
    }
    if (!arg.startsWith('-')) return { isLong, name: undefined };
    const char = arg[1];
    const name = Object.keys(flags).find((key) => char !== undefined && flags[key]?.char === char);
    return { isLong, name };
  };

  // Returns true when `arg` was a flag; false when it names none; undefined: oclif would fail.
  const parseFlag = (arg: string): boolean | undefined => {
    const { isLong, name } = findFlag(arg);
    if (name === undefined) {
      const eq = arg.indexOf('=');
      if (eq === -1) return false;
      argv.unshift(arg.slice(eq + 1));
      const parsed = parseFlag(arg.slice(0, eq));
      if (parsed === false) argv.shift();
      return parsed;
    }
    const flag = flags[name] as FlagDef;
    if (flag.type === 'option') {
      if (!flag.multiple && raw.some((o) => o.type === 'flag' && o.flag === name)) return undefined;
      current = flag;
      const value = isLong || arg.length < 3 ? argv.shift() : arg.slice(arg[2] === '=' ? 3 : 2);
      if (typeof value !== 'string' || findFlag(value).name !== undefined) return undefined;
      raw.push({ type: 'flag', flag: name, input: value });
    } else {
      raw.push({ type: 'flag', flag: name, input: arg });
      // Bundled short booleans (`-ab`): the rest goes back on the stack, as oclif does.
      if (!isLong && arg.length > 2) argv.unshift(`-${arg.slice(2)}`);
    }
    return true;
  };

  const nonExistentFlags: string[] = [];
  const argNames = Object.keys(input.args);
  let argTokens = 0;
  while (argv.length > 0) {
    const token = argv.shift() as string;
    if (token.startsWith('-') && token !== '-') {
      // `--` ends the flags in oclif: not covered here.
      if (token === '--') return undefined;
      const parsed = parseFlag(token);
      if (parsed === undefined) return undefined;
      if (parsed) continue;
      if (!/^-\d/.test(token)) {
        nonExistentFlags.push(token);
        continue;
      }
    }
    if (current?.multiple && !current.multipleNonGreedy) {
      raw.push({ type: 'flag', flag: nameOf.get(current) as string, input: token });
      continue;
    }
    raw.push({ type: 'arg', arg: argNames[argTokens++], input: token });
  }
  if (nonExistentFlags.length > 0) return undefined;

  try {
    const { args, argv: parsedArgv } = await parseArgs(input, raw);
    const { flags: values, metadata } = await parseFlags(input, raw);
    // In command-line order, as oclif sorts it (a default, not on the line, comes first).
    parsedArgv.sort((a, b) => argvIn.indexOf(a as string) - argvIn.indexOf(b as string));
    const out: ParserOutput = { args, flags: values, argv: parsedArgv, raw, metadata, nonExistentFlags };
    return validate(input, out) ? out : undefined;
  } catch {
    // A flag's or argument's own parse refused the value (an integer out of range...).
    return undefined;
  }
}

/** What this port does not do: stdin arguments and flags, env flags, delimiters, relationships, variadic args. */
function isCovered(input: ParserInput): boolean {
  for (const flag of Object.values(input.flags)) {
    if (flag.type !== 'option' && flag.type !== 'boolean') return false;
    if (flag.aliases?.length || flag.charAliases?.length || flag.delimiter || flag.allowStdin || flag.env || 'defaultHelp' in flag) return false;
    if (flag.dependsOn || flag.exclusive || flag.exactlyOne || flag.atLeastOne || flag.combinable || flag.relationships || flag.deprecated || flag.deprecateAliases) return false;
  }
  let optional = false;
  for (const arg of Object.values(input.args)) {
    if (arg.multiple) return false;
    // A missing argument may be read from stdin by oclif.
    if (!arg.ignoreStdin) return false;
    // oclif refuses a required argument after an optional one (a definition error).
    if (arg.required && optional) return false;
    if (!arg.required) optional = true;
  }
  return true;
}

async function parseArgs(input: ParserInput, raw: ParserOutput['raw']): Promise<{ args: Record<string, unknown>; argv: unknown[] }> {
  const args: Record<string, unknown> = {};
  const argv: unknown[] = [];
  const tokens = raw.filter((o): o is Extract<ParserOutput['raw'][number], { type: 'arg' }> => o.type === 'arg');
  for (const [name, arg] of Object.entries(input.args)) {
    const token = tokens.find((t) => t.arg === name);
    if (token) {
      if (arg.options && !arg.options.includes(token.input)) throw new Error('invalid option');
      const parsed = arg.parse ? await (arg.parse as (i: string, c: unknown, o: unknown) => unknown)(token.input, input.context ?? {}, arg) : token.input;
      argv.push(parsed);
      args[name] = parsed;
    }
    if (args[name] === undefined && (arg.default || arg.default === false)) {
      const value = typeof arg.default === 'function' ? await (arg.default as () => unknown)() : arg.default;
      if (Array.isArray(value)) argv.push(...(value as unknown[]));
      else argv.push(value);
      args[name] = value;
    }
  }
  for (const token of tokens) if (token.arg === undefined || args[token.arg] === undefined) argv.push(token.input);
  return { args, argv };
}

async function parseFlags(input: ParserInput, raw: ParserOutput['raw']): Promise<{ flags: Record<string, unknown>; metadata: ParserOutput['metadata'] }> {
  const tokensOf = new Map<string, string[]>();
  for (const token of raw) if (token.type === 'flag') tokensOf.set(token.flag, [...(tokensOf.get(token.flag) ?? []), token.input]);
  const context = input.context ?? {};
  const call = async (flag: FlagDef, value: unknown) => (flag.parse ? (flag.parse as (i: unknown, c: unknown, o: unknown) => unknown)(value, context, flag) : value);
  const checkOption = (flag: FlagDef, value: string) => {
    if (flag.options && !flag.options.includes(value)) throw new Error('invalid option');
    return value;
  };
  const values: Record<string, unknown> = {};
  const defaults: Array<[string, FlagDef]> = [];
  for (const [name, flag] of Object.entries(input.flags)) {
    const tokens = tokensOf.get(name);
    if (tokens?.length) {
      const last = tokens[tokens.length - 1] as string;
      if (flag.type === 'boolean') values[name] = await call(flag, last !== `${NEGATION}${name}`);
      else if (flag.multiple) values[name] = await Promise.all(tokens.map((t) => call(flag, checkOption(flag, t))));
      else values[name] = await call(flag, checkOption(flag, last));
    } else if (flag.type === 'boolean' || flag.default !== undefined) {
      defaults.push([name, flag]);
    }
  }
  // Defaults last: a default function may read the other flags, as in oclif.
  const given = { ...values };
  const metadata: ParserOutput['metadata'] = { flags: {} };
  for (const [name, flag] of defaults) {
    values[name] = typeof flag.default === 'function' ? await (flag.default as (c: unknown) => unknown)({ flags: given, options: flag }) : flag.default;
    metadata.flags[name] = { setFromDefault: true };
  }
  for (const name of Object.keys(values)) if (values[name] === undefined) delete values[name];
  return { flags: values, metadata };
}

/** oclif's validate(): extra arguments, missing required arguments and flags. */
function validate(input: ParserInput, out: ParserOutput): boolean {
  const maxArgs = Object.keys(input.args).length;
  if (input.strict !== false && out.argv.length > maxArgs) return false;
  for (const [name, arg] of Object.entries(input.args)) if (arg.required && out.args[name] === undefined) return false;
  for (const [name, flag] of Object.entries(input.flags)) if (flag.required && out.flags[name] === undefined) return false;
  return true;
}
