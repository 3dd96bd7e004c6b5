// Start-up fast path: `receipts verify` runs in CI loops, so its common form skips loading oclif
// (most of the start-up time). Anything unusual (help, unknown flags, DEBUG, the junit/github
// formats, no keys named, the kept log) returns undefined and the caller falls back to oclif,
// which runs the same code (lib/receipts-verify.ts) and gives the same output for the same input.
import type { CheckedKeyStore } from '@proxygate-kit/sdk/receipts';
import { writeDirect } from './lib/direct-output.js';
import { errorJsonOutput, formatErrorLine, toCliError } from './lib/errors.js';
import { planInputs, totalBytes } from './lib/receipt-stream.js';
import {
  explicitKeys,
  formatVerifyReport,
  hasExplicitKeys,
  legacyRule,
  parseFormat,
  parseMaxIssues,
  verificationFailure,
  verifySources,
} from './lib/receipts-verify.js';

export interface FastVerifyRequest {
  files: string[];
  keys?: string;
  pins: string[];
  list?: boolean;
  shard?: string;
  format?: string;
  json: boolean;
  allowEmpty?: boolean;
  requireV3?: boolean;
  allowLegacy?: boolean;
  maxIssues?: number;
}

interface FastFlag {
  type: 'boolean' | 'option';
  field: keyof FastVerifyRequest;
  multiple?: true;
  /** A whole number (>= 0), as the command's integer flag takes it. */
  integer?: true;
  /** The values this path renders itself; any other goes on (the command takes more). */
  options?: readonly string[];
}

/**
 * The flags this path reads, named and typed as `receipts verify` declares them (its flags in
 * commands/receipts/verify.ts and lib/receipts-command.ts): a test compares the two tables. No
 * short names and no `--no-` forms; a line with any other flag goes on to the data path.
 */
export const FAST_VERIFY_FLAGS: Readonly<Record<string, FastFlag>> = {
  json: { type: 'boolean', field: 'json' },
  list: { type: 'boolean', field: 'list' },
  'allow-empty': { type: 'boolean', field: 'allowEmpty' },
  'require-v3': { type: 'boolean', field: 'requireV3' },
  'allow-legacy': { type: 'boolean', field: 'allowLegacy' },
  keys: { type: 'option', field: 'keys' },
  shard: { type: 'option', field: 'shard' },
  // The CI renderings load the SDK's renderers: oclif's path does that.
  format: { type: 'option', field: 'format', options: ['text', 'json'] },
  'max-issues': { type: 'option', field: 'maxIssues', integer: true },
  pin: { type: 'option', field: 'pins', multiple: true },
};

/** Parses `receipts verify` arguments, or undefined when anything is not plainly understood. */
export function parseVerifyArgs(args: readonly string[], env: Record<string, string | undefined> = process.env): FastVerifyRequest | undefined {
  const request: FastVerifyRequest = { files: [], pins: [], json: false };
  const fields = request as unknown as Record<string, unknown>;
  const envJson = env['PROXYGATE_CONTENT_TYPE']?.toLowerCase() === 'json';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '-' || !arg.startsWith('-')) {
      request.files.push(arg);
      continue;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = (eq > 0 ? arg.slice(0, eq) : arg).slice(2);
    const flag = arg.startsWith('--') && Object.hasOwn(FAST_VERIFY_FLAGS, name) ? FAST_VERIFY_FLAGS[name] : undefined;
    if (!flag) return undefined;
    if (flag.type === 'boolean') {
      if (eq > 0) return undefined;
      fields[flag.field] = true;
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    // `--keys --json`: oclif refuses a flag where a value should be; the data path says so.
    if (value === undefined || (eq < 0 && value.startsWith('-') && value !== '-')) return undefined;
    if (flag.multiple) {
      (fields[flag.field] as string[]).push(value);
      continue;
    }
    if (fields[flag.field] !== undefined) return undefined;
    if (flag.integer && !/^\d+$/.test(value)) return undefined;
    if (flag.options && !flag.options.includes(value)) return undefined;
    fields[flag.field] = flag.integer ? Number(value) : value;
  }
  if (request.format === undefined && envJson) request.json = true;
  return request;
}

/** Runs `receipts verify` without oclif; resolves to the exit code, or undefined to fall back. */
export async function runVerifyFastPath(args: readonly string[], options: { checkedKeys?: CheckedKeyStore | undefined } = {}): Promise<number | undefined> {
  const request = parseVerifyArgs(args);
  // No keys named: the profile's pin (oclif's path reads it).
  if (!request || !hasExplicitKeys({ keys: request.keys, pins: request.pins })) return undefined;
  const jsonOutput = request.json || request.format === 'json';
  const started = Date.now();
  try {
    const format = parseFormat(request.format, request.json);
    const maxIssues = parseMaxIssues(request.maxIssues);
    const chosen = await explicitKeys({ keys: request.keys, pins: request.pins, checkedKeys: options.checkedKeys });
    const requireV3 = legacyRule(chosen, { requireV3: request.requireV3, allowLegacy: request.allowLegacy });
    const plan = await planInputs(request.files);
    // Nothing named, nothing piped: the kept log (oclif's path; stdin has ended, it will see that).
    if (!plan.sources) return undefined;
    const report = await verifySources(plan.sources, { keys: chosen.keys, requireV3, list: request.list, shard: request.shard, maxIssues, totalBytes: totalBytes(plan.sources) });
    writeDirect(1, await formatVerifyReport(report, format, (Date.now() - started) / 1000));
    if (report.valid + report.invalid === 0 && request.allowEmpty) writeDirect(2, 'no receipts found in the input\n');
    const failure = verificationFailure(report, Boolean(request.allowEmpty), chosen.keys);
    if (!failure) return 0;
    writeDirect(2, `${formatErrorLine(failure)}\n`);
    return failure.exitCode;
  } catch (thrown) {
    const failure = toCliError(thrown);
    writeDirect(2, `${formatErrorLine(failure)}\n`);
    if (jsonOutput) {
      writeDirect(1, `${JSON.stringify(errorJsonOutput(failure), null, 2)}\n`);
    }
    return failure.exitCode;
  }
}
