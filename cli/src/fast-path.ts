// Start-up fast path: `receipts verify` runs in CI loops, so its common form skips loading oclif
// (most of the start-up time). Anything unusual (help, unknown flags, DEBUG) returns undefined
// and the caller falls back to oclif, which gives the same output for the same input.
import type { CheckedKeyStore } from '@proxygate-kit/sdk/receipts';
import { writeDirect } from './lib/direct-output.js';
import { formatErrorLine, toCliError } from './lib/errors.js';
import { renderVerifyReport, verificationFailure, verifyReceiptFiles, type VerifyRequest } from './lib/receipts-verify.js';

interface Parsed {
  request: VerifyRequest;
  json: boolean;
}

/** Parses `receipts verify` arguments, or undefined when anything is not plainly understood. */
export function parseVerifyArgs(args: readonly string[], env: Record<string, string | undefined> = process.env): Parsed | undefined {
  const files: string[] = [];
  const pins: string[] = [];
  let keys: string | undefined;
  let shard: string | undefined;
  let json = env['PROXYGATE_CONTENT_TYPE']?.toLowerCase() === 'json';
  let audit = false;
  let list = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const takeValue = (): string | undefined => (eq > 0 ? arg.slice(eq + 1) : args[++i]);
    if (name === '--json' && eq < 0) json = true;
    else if (name === '--audit' && eq < 0) audit = true;
    else if (name === '--list' && eq < 0) list = true;
    else if (name === '--keys' && keys === undefined) keys = takeValue();
    else if (name === '--shard' && shard === undefined) shard = takeValue();
    else if (name === '--head' || name === '--previous-head' || name === '--usage') return undefined;
    else if (name === '--pin') {
      const value = takeValue();
      if (value === undefined) return undefined;
      pins.push(value);
    } else if (arg === '-' || !arg.startsWith('-')) files.push(arg);
    else return undefined;
    if ((name === '--keys' && keys === undefined) || (name === '--shard' && shard === undefined)) return undefined;
  }
  const request: VerifyRequest = { files, pins, audit };
  if (list) request.list = true;
  if (keys !== undefined) request.keys = keys;
  if (shard !== undefined) request.shard = shard;
  return { request, json };
}

const writeJson = (value: unknown) => writeDirect(1, `${JSON.stringify(value, null, 2)}\n`);

/** Runs `receipts verify` without oclif; resolves to the exit code, or undefined to fall back. */
export async function runVerifyFastPath(args: readonly string[], options: { checkedKeys?: CheckedKeyStore | undefined } = {}): Promise<number | undefined> {
  const parsed = parseVerifyArgs(args);
  if (!parsed) return undefined;
  try {
    const report = await verifyReceiptFiles({ ...parsed.request, checkedKeys: options.checkedKeys });
    if (parsed.json) writeJson(report);
    else writeDirect(1, renderVerifyReport(report));
    if (report.valid + report.invalid === 0) writeDirect(2, 'no receipts found in the input\n');
    const failure = verificationFailure(report);
    if (!failure) return 0;
    writeDirect(2, `${formatErrorLine(failure)}\n`);
    return failure.exitCode;
  } catch (thrown) {
    const failure = toCliError(thrown);
    writeDirect(2, `${formatErrorLine(failure)}\n`);
    if (parsed.json) writeJson({ error: { code: failure.code, message: failure.message, ...(failure.action ? { action: failure.action } : {}), exit_code: failure.exitCode } });
    return failure.exitCode;
  }
}
