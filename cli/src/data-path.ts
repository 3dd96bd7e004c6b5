// Start-up path of the data commands (catalog, paid calls, account, tokens, receipts): the same
// command classes oclif runs, run without oclif. rolldown bundles this module with the SDK into
// one CommonJS file (dist/data-path.bundle.cjs) in which `@oclif/core` is lib/fast/oclif-lite.ts,
// so a data command starts in one require() of one file instead of oclif's configuration and
// Node's ESM loader walking hundreds of modules. Anything else (help, a flag or form the port of
// oclif's parser does not cover, another command, DEBUG) resolves to undefined before the command
// has done anything, and bin/run.cjs runs oclif: the same output for the same input either way.
import Apis from './commands/apis/index.js';
import ApisDocs from './commands/apis/docs.js';
import ApisShow from './commands/apis/show.js';
import Balance from './commands/balance.js';
import Call from './commands/call.js';
import Categories from './commands/categories.js';
import Pricing from './commands/pricing.js';
import ReceiptsAudit from './commands/receipts/audit.js';
import ReceiptsAuditMerge from './commands/receipts/audit/merge.js';
import ReceiptsKeysExport from './commands/receipts/keys/export.js';
import ReceiptsKeysForget from './commands/receipts/keys/forget.js';
import ReceiptsKeysShow from './commands/receipts/keys/show.js';
import ReceiptsKeysTrust from './commands/receipts/keys/trust.js';
import ReceiptsLog from './commands/receipts/log.js';
import ReceiptsPath from './commands/receipts/path.js';
import ReceiptsVerify from './commands/receipts/verify.js';
import Services from './commands/services.js';
import TokensCreate from './commands/tokens/create.js';
import TokensList from './commands/tokens/list.js';
import TokensRevoke from './commands/tokens/revoke.js';
import Usage from './commands/usage.js';
import type { CheckedKeyStore } from '@proxygate-kit/sdk/receipts';
import { useCheckedKeys } from './lib/checked-keys.js';
import { resolveCommandId } from './lib/fast/command-id.js';
import { createHttpFetch } from './lib/fast/http-fetch.js';
import { installWebLite } from './lib/fast/web-lite.js';
import { FallBackToOclif, liteConfig, parseCommandLine } from './lib/fast/oclif-lite.js';

/** The commands this path runs (a test checks each against oclif on the same command lines). */
export const DATA_COMMANDS = {
  apis: Apis,
  'apis:docs': ApisDocs,
  'apis:show': ApisShow,
  balance: Balance,
  call: Call,
  categories: Categories,
  pricing: Pricing,
  'receipts:audit': ReceiptsAudit,
  'receipts:audit:merge': ReceiptsAuditMerge,
  'receipts:keys:export': ReceiptsKeysExport,
  'receipts:keys:forget': ReceiptsKeysForget,
  'receipts:keys:show': ReceiptsKeysShow,
  'receipts:keys:trust': ReceiptsKeysTrust,
  'receipts:log': ReceiptsLog,
  'receipts:path': ReceiptsPath,
  'receipts:verify': ReceiptsVerify,
  services: Services,
  'tokens:create': TokensCreate,
  'tokens:list': TokensList,
  'tokens:revoke': TokensRevoke,
  usage: Usage,
} as const;

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
  'whoami',
  ...Object.keys(DATA_COMMANDS),
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

/**
 * Runs a data command without oclif. Resolves to how it ended, or undefined (nothing done) when
 * oclif must run it. Only in the bundle, where the commands' `@oclif/core` is oclif-lite.
 */
export async function runDataPath(argv: readonly string[], options: { checkedKeys?: CheckedKeyStore | undefined; env?: NodeJS.ProcessEnv } = {}): Promise<DataPathOutcome | undefined> {
  const env = options.env ?? process.env;
  // Stack traces (DEBUG) and help (`--help`, `-h`, where oclif or a hook may add it) are oclif's.
  if (env['DEBUG']) return undefined;
  if (argv.includes('--help') || argv.includes('-h') || argv.includes('--')) return undefined;
  const resolved = resolveCommandId(argv, ALL_COMMAND_IDS, (id) => hasArgs(DATA_COMMANDS[id as keyof typeof DATA_COMMANDS] as unknown as Runnable | undefined));
  if (!resolved) return undefined;
  const Command = DATA_COMMANDS[resolved.id as keyof typeof DATA_COMMANDS] as unknown as Runnable | undefined;
  if (!Command) return undefined;
  // The whole command line is checked first: a refusal must come from oclif, in its words.
  if (!(await parseCommandLine(Command, resolved.argv, {}))) return undefined;
  // This process's fetch, Headers and Response without undici (http-fetch.ts, web-lite.ts);
  // Node's fetch stays for what the transport does not cover.
  const [nodeFetch, nodeHeaders, nodeResponse] = (['fetch', 'Headers', 'Response'] as const).map((name) => Object.getOwnPropertyDescriptor(globalThis, name));
  installWebLite();
  useCheckedKeys(options.checkedKeys);
  globalThis.fetch = createHttpFetch((input, init) => (nodeFetch?.value as typeof fetch)(input, init));
  const restore = () => {
    for (const [name, descriptor] of [['fetch', nodeFetch], ['Headers', nodeHeaders], ['Response', nodeResponse]] as const) if (descriptor) Object.defineProperty(globalThis, name, descriptor);
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

/** oclif's test while matching words: a command with arguments (or not strict) takes the next word as one. */
function hasArgs(command: Runnable | undefined): boolean {
  return Boolean(command && (command.strict === false || Object.keys(command.args ?? {}).length > 0));
}
