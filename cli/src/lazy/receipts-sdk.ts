// The part of the SDK that `receipts verify` uses, named one by one: its start-up bundle
// (rolldown) can then drop the rest, such as the worker pool's worker_threads.
// Modules under lazy/ are loaded only through import() (lib/sdk-loader.ts); a test checks that.
export { downgradeVerdict, failedVerdict, KeySet, KeySetError, nodeCryptoBackend, verifyReceipt } from '@proxygate-kit/sdk/receipts/node';
