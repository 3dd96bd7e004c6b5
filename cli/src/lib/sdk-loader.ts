// The SDK is imported inside run(), never at the top of a command module: `--version`, `--help`
// and offline commands must not pay for the HTTP stack. Type-only imports are erased at build.

type Sdk = typeof import('@proxygate-kit/sdk');
type ReceiptsSdk = typeof import('../lazy/receipts-sdk.js');
type McpSdk = typeof import('@proxygate-kit/sdk/mcp');
type MoneyModule = typeof import('../lazy/money.js');

let sdk: Promise<Sdk> | undefined;

export function loadSdk(): Promise<Sdk> {
  sdk ??= import('@proxygate-kit/sdk');
  return sdk;
}

// Node's receipts entry: its statically bound node:crypto verifier spares `receipts verify` the
// start-up of Node's ESM loader that runtime detection (a dynamic import) would cost.
export const loadReceiptsSdk = (): Promise<ReceiptsSdk> => import('../lazy/receipts-sdk.js');

export const loadMcpSdk = (): Promise<McpSdk> => import('@proxygate-kit/sdk/mcp');

/** The SDK's `formatUsd` alone, for the receipt commands (whose start-up path does not load the SDK's client). */
export const loadMoneyFormatter = async (): Promise<MoneyModule['formatUsd']> => (await import('../lazy/money.js')).formatUsd;
