// The part of the SDK that offline receipt commands use, named one by one: the start-up bundle of
// `receipts verify` (rolldown) can then drop the rest, such as the worker-pool's worker_threads.
// Modules under lazy/ are loaded only through import() (lib/sdk-loader.ts); a test checks that.
export {
  KeySet,
  KeySetError,
  auditReceipts,
  jsonLines,
  nodeCryptoBackend,
  verifyReceipts,
  verifyStream,
} from '@proxygate-kit/sdk/receipts/node';
