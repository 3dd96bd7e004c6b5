import { CliError } from './errors.js';
import { ExitCode } from './exit-codes.js';

// The SDK is imported inside run(), never at the top of a command module: `--version`, `--help`
// and offline commands must not pay for the HTTP stack.

let sdkPromise: Promise<Record<string, unknown>> | undefined;

export function loadSdk(): Promise<Record<string, unknown>> {
  sdkPromise ??= import('@proxygate-kit/sdk') as Promise<Record<string, unknown>>;
  return sdkPromise;
}

/** A named export of the SDK, or a clear error when this SDK build does not have it. */
export async function sdkExport<T>(name: string, entry: () => Promise<Record<string, unknown>> = loadSdk): Promise<T> {
  const mod = await entry();
  const value = mod[name];
  if (value === undefined) {
    throw new CliError('sdk_incomplete', `the installed @proxygate-kit/sdk has no "${name}"`, ExitCode.failure, 'upgrade @proxygate-kit/cli');
  }
  return value as T;
}

export const loadReceiptsSdk = (): Promise<Record<string, unknown>> =>
  import('@proxygate-kit/sdk/receipts') as Promise<Record<string, unknown>>;

export const loadMcpSdk = (): Promise<Record<string, unknown>> => import('@proxygate-kit/sdk/mcp') as Promise<Record<string, unknown>>;
