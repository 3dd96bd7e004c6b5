// Start-up path of the data commands (catalog, paid calls, account, tokens, receipts): the same
// command classes oclif runs, run without oclif. rolldown bundles this module with the SDK into
// one CommonJS file (dist/data-path.bundle.cjs) in which `@oclif/core` is lib/fast/oclif-lite.ts,
// so a data command starts in one require() of one file instead of oclif's configuration and
// Node's ESM loader walking hundreds of modules. Anything else (help, a flag or form the port of
// oclif's parser does not cover, another command, DEBUG) resolves to undefined before the command
// has done anything, and bin/run.cjs runs oclif: the same output for the same input either way.
import type { CheckedKeyStore } from '@proxygate-kit/sdk/receipts';
import { useCheckedKeys } from './lib/checked-keys.js';
import { resolveCommandId } from './lib/fast/command-id.js';
import { createHttpFetch, type WebClasses } from './lib/fast/http-fetch.js';
import { installCryptoLite } from './lib/fast/crypto-lite.js';
import { installStreamLite, LiteReadableStream } from './lib/fast/stream-lite.js';
import { installWebLite, LiteHeaders, LiteResponse } from './lib/fast/web-lite.js';
import { FallBackToOclif, liteConfig, parseCommandLine } from './lib/fast/oclif-lite.js';

/**
 * The commands this path runs, each loaded when a command line names it: in a bundle a command's
 * module (and what only it uses) is evaluated, and compiled, only then. They come in groups of
 * topics, one start-up bundle each (rolldown.config.mjs, bin/run.cjs): a command reads and
 * hashes only its group's code. A test checks each against oclif on the same command lines.
 */
export const CATALOG_COMMANDS = {
  apis: () => import('./commands/apis/index.js'),
  'apis:docs': () => import('./commands/apis/docs.js'),
  'apis:show': () => import('./commands/apis/show.js'),
  categories: () => import('./commands/categories.js'),
  pricing: () => import('./commands/pricing.js'),
  services: () => import('./commands/services.js'),
} as const;

export const CALL_COMMANDS = {
  call: () => import('./commands/call.js'),
} as const;

export const ACCOUNT_COMMANDS = {
  balance: () => import('./commands/balance.js'),
  'tokens:create': () => import('./commands/tokens/create.js'),
  'tokens:list': () => import('./commands/tokens/list.js'),
  'tokens:revoke': () => import('./commands/tokens/revoke.js'),
  usage: () => import('./commands/usage.js'),
} as const;

export const RECEIPTS_COMMANDS = {
  'receipts:audit': () => import('./commands/receipts/audit.js'),
  'receipts:audit:merge': () => import('./commands/receipts/audit/merge.js'),
  'receipts:keys:export': () => import('./commands/receipts/keys/export.js'),
  'receipts:keys:forget': () => import('./commands/receipts/keys/forget.js'),
  'receipts:keys:show': () => import('./commands/receipts/keys/show.js'),
  'receipts:keys:trust': () => import('./commands/receipts/keys/trust.js'),
  'receipts:log': () => import('./commands/receipts/log.js'),
  'receipts:path': () => import('./commands/receipts/path.js'),
  'receipts:verify': () => import('./commands/receipts/verify.js'),
} as const;

/** Every data command, by group (the full runner and tests; a group's bundle holds only its own). */
export function dataCommandGroups() {
  return { catalog: CATALOG_COMMANDS, call: CALL_COMMANDS, account: ACCOUNT_COMMANDS, receipts: RECEIPTS_COMMANDS } as const;
}

/** Every data command. */
export function dataCommands() {
  return { ...CATALOG_COMMANDS, ...CALL_COMMANDS, ...ACCOUNT_COMMANDS, ...RECEIPTS_COMMANDS } as const;
}

export type DataCommandId = keyof ReturnType<typeof dataCommands>;

/**
 * Which data commands take arguments (or are not strict): oclif's rule while matching the words
 * of a command line, where such a command takes the next word as an argument. Known without
 * loading the commands; a test checks it against their classes.
 */
export const TAKES_ARGS: Readonly<Record<DataCommandId, boolean>> = {
  apis: true,
  'apis:docs': true,
  'apis:show': true,
  balance: false,
  call: true,
  categories: false,
  pricing: false,
  'receipts:audit': true,
  'receipts:audit:merge': true,
  'receipts:keys:export': false,
  'receipts:keys:forget': false,
  'receipts:keys:show': false,
  'receipts:keys:trust': false,
  'receipts:log': false,
  'receipts:path': false,
  'receipts:verify': true,
  services: false,
  'tokens:create': false,
  'tokens:list': false,
  'tokens:revoke': true,
  usage: false,
};

const isDataCommand = (id: string): id is DataCommandId => Object.hasOwn(TAKES_ARGS, id);

/** Loads the module of each command a start-up bundle runs. */
export type CommandLoaders = Partial<Record<DataCommandId, () => Promise<{ default: unknown }>>>;

/** A data command's class. */
export async function loadDataCommand(id: DataCommandId): Promise<unknown> {
  return (await dataCommands()[id]()).default;
}

/**
 * Every command id oclif knows (this CLI's and its plugins'): the words of a command line are
 * matched against all of them, as oclif matches them, so the fast path never picks a command
 * oclif would not. A test checks the list against oclif's loaded configuration.
 */
export const ALL_COMMAND_IDS: readonly string[] = [
  'api',
  'autocomplete',
  'autocomplete:create',
  'autocomplete:script',
  'help',
  'login',
  'logout',
  'mcp:call',
  'mcp:config',
  'mcp:pin',
  'mcp:serve',
  'mcp:tools',
  'rate',
  'version',
  'whoami',
  ...Object.keys(TAKES_ARGS),
];

type Runnable = {
  new (argv: string[], config: unknown): {
    id: string | undefined;
    init(): Promise<void>;
    run(): Promise<unknown>;
    catch(error: Error): Promise<unknown>;
    finally(error: Error | undefined): Promise<void>;
    jsonEnabled(): boolean;
    logJson(value: unknown): void;
    toSuccessJson(result: unknown): unknown;
  };
  id?: string | undefined;
  args?: Record<string, { required?: boolean }> | undefined;
  strict?: boolean | undefined;
};

/** How a data command ended: its exit code, and whether it failed (oclif then exits at once). */
export interface DataPathOutcome {
  id: string;
  exitCode: number;
  failed: boolean;
}

export interface DataPathOptions {
  checkedKeys?: CheckedKeyStore | undefined;
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs a data command without oclif. Resolves to how it ended, or undefined (nothing done) when
 * oclif must run it. Only in a bundle, where the commands' `@oclif/core` is oclif-lite.
 */
export function runDataPath(argv: readonly string[], options: DataPathOptions = {}): Promise<DataPathOutcome | undefined> {
  return runCommands(argv, options, dataCommands());
}

/**
 * runDataPath for the commands `commands` loads (a start-up bundle of one group of topics holds
 * only those; rolldown.config.mjs makes one per group). A line naming another command: undefined.
 */
export async function runCommands(argv: readonly string[], options: DataPathOptions, commands: CommandLoaders): Promise<DataPathOutcome | undefined> {
  const env = options.env ?? process.env;
  // Stack traces (DEBUG) and help (`--help`, `-h`, where oclif or a hook may add it) are oclif's.
  if (env['DEBUG']) return undefined;
  if (argv.includes('--help') || argv.includes('-h') || argv.includes('--')) return undefined;
  const resolved = resolveCommandId(argv, ALL_COMMAND_IDS, (id) => isDataCommand(id) && TAKES_ARGS[id]);
  const load = resolved && isDataCommand(resolved.id) ? commands[resolved.id] : undefined;
  if (!resolved || !load) return undefined;
  const Command = (await load()).default as Runnable;
  // The whole command line is checked first: a refusal must come from oclif, in its words.
  if (!(await parseCommandLine(Command, resolved.argv, {}))) return undefined;
  // This process's fetch, Headers and Response without undici (http-fetch.ts, web-lite.ts), and
  // Node's ReadableStream and WebCrypto only if something needs them (stream-lite.ts,
  // crypto-lite.ts); Node's fetch stays for what the transport does not cover.
  const [nodeFetch, nodeHeaders, nodeResponse] = (['fetch', 'Headers', 'Response'] as const).map((name) => Object.getOwnPropertyDescriptor(globalThis, name));
  installWebLite();
  const restoreStreams = installStreamLite();
  const restoreCrypto = installCryptoLite();
  useCheckedKeys(options.checkedKeys);
  // Answers' bodies are stream-lite's too (Node's ReadableStream loads ~3 ms of modules).
  const web = { Headers: LiteHeaders, Response: LiteResponse, ReadableStream: LiteReadableStream } as unknown as WebClasses;
  globalThis.fetch = createHttpFetch((input, init) => (nodeFetch?.value as typeof fetch)(input, init), web);
  const restore = () => {
    for (const [name, descriptor] of [['fetch', nodeFetch], ['Headers', nodeHeaders], ['Response', nodeResponse]] as const) if (descriptor) Object.defineProperty(globalThis, name, descriptor);
    restoreStreams();
    restoreCrypto();
  };
  Command.id = resolved.id;
  const command = new Command([...resolved.argv], liteConfig(env));
  command.id = resolved.id;
  let failure: Error | undefined;
  let result: unknown;
  let exitCode: number | undefined;
  try {
    await command.init();
    result = await command.run();
  } catch (error) {
    if (error instanceof FallBackToOclif) {
      restore();
      return undefined;
    }
    failure = error as Error;
    try {
      await command.catch(failure);
    } catch (thrown) {
      // What oclif's handler does with the error the command's catch throws: its exit code.
      const exit = (thrown as { oclif?: { exit?: unknown } }).oclif?.exit;
      exitCode = typeof exit === 'number' ? exit : 1;
      if (!(thrown as { skipOclifErrorHandling?: boolean }).skipOclifErrorHandling) process.stderr.write(` ›   Error: ${(thrown as Error).message}\n`);
    }
  } finally {
    await command.finally(failure);
  }
  if (result && command.jsonEnabled()) command.logJson(command.toSuccessJson(result));
  if (exitCode !== undefined) return { id: resolved.id, exitCode, failed: true };
  return { id: resolved.id, exitCode: typeof process.exitCode === 'number' ? process.exitCode : 0, failed: false };
}
