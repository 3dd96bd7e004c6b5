// The SDK is imported inside run(), never at the top of a command module: `--version`, `--help`
// and offline commands must not pay for the HTTP stack. Type-only imports are erased at build.

type Sdk = typeof import('@proxygate-kit/sdk');
type ReceiptsSdk = typeof import('../lazy/receipts-sdk.js');
type McpSdk = typeof import('@proxygate-kit/sdk/mcp');

let sdk: Promise<Sdk> | undefined;

export function loadSdk(): Promise<Sdk> {
  sdk ??= import('@proxygate-kit/sdk');
  return sdk;
}

// Node's receipts entry: its statically bound node:crypto verifier spares `receipts verify` the
// start-up of Node's ESM loader that runtime detection (a dynamic import) would cost.
export const loadReceiptsSdk = (): Promise<ReceiptsSdk> => import('../lazy/receipts-sdk.js');

export const loadMcpSdk = (): Promise<McpSdk> => import('@proxygate-kit/sdk/mcp');
