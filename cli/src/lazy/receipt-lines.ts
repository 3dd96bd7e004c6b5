// The SDK's JSON Lines splitter, for lib/receipt-input.ts (one splitter for SDK and CLI).
// Modules under lazy/ are loaded only through import() (lib/sdk-loader.ts); a test checks that.
export { LineSplitter } from '@proxygate-kit/sdk/receipts';
