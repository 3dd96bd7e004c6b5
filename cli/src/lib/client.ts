import type { ClientOptions as SdkClientOptions, Proxygate } from '@proxygate-kit/sdk';
import type { ResolvedAuth } from './base-command.js';
import { UsageError } from './errors.js';
import { refuseFetchBadPort } from './gateway-url.js';
import { loadSdk } from './sdk-loader.js';

export type GatewayClient = Proxygate;

export interface ClientOptions {
  maxRetries?: number;
  /** Pinned receipt keys: paid calls then verify their receipts offline. */
  keys?: NonNullable<SdkClientOptions['keys']>;
  /** v1/v2 receipts from a gateway that signs v3 are accepted, not downgrades (`--allow-legacy-receipts`). */
  allowLegacyReceipts?: boolean | undefined;
}

/**
 * A client for this run. The CLI decides the key and gateway itself (flag > env > profile), so
 * the SDK's own env fallbacks are switched off with explicit values. Requests go through global
 * fetch (which is what test interceptors patch).
 */
export async function createClient(auth: ResolvedAuth, options: ClientOptions = {}): Promise<GatewayClient> {
  const timeout = requestTimeoutMs();
  const { Proxygate } = await loadSdk();
  const client = new Proxygate({
    apiKey: auth.apiKey ?? null,
    gatewayUrl: auth.gatewayUrl,
    fetch: (input, init) => globalThis.fetch(input, init),
    // SDK logs would interleave with command output; PROXYGATE_LOG still turns them on.
    ...(process.env['PROXYGATE_LOG'] ? {} : { logLevel: 'off' as const }),
    ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
    ...(options.keys === undefined ? {} : { keys: options.keys }),
    ...(options.allowLegacyReceipts ? { allowLegacyReceipts: true } : {}),
    ...(timeout === undefined ? {} : { timeout }),
  });
  // After the SDK's own checks of the URL (a query, a fragment), so those keep their words.
  refuseFetchBadPort(auth.gatewayUrl);
  return client;
}

/**
 * PROXYGATE_TIMEOUT: seconds one attempt may take (the SDK's 60 s by default), so a script facing
 * a gateway that never answers gives up sooner than three attempts of a minute. In milliseconds;
 * undefined when unset. Read here only: the REST client and the MCP commands (connectMcp) alike.
 */
export function requestTimeoutMs(): number | undefined {
  const text = process.env['PROXYGATE_TIMEOUT'];
  if (text === undefined || text.trim() === '') return undefined;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
    throw new UsageError(`PROXYGATE_TIMEOUT is not a number of seconds between 0 and 3600: "${text.slice(0, 20)}"`, 'e.g. PROXYGATE_TIMEOUT=10');
  }
  return Math.ceil(seconds * 1000);
}
