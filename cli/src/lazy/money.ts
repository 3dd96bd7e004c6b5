// The SDK's dollar formatter for the offline receipt commands (audit totals, `--list` amounts),
// imported only when one of them runs: plain `receipts verify` never loads it.
export { formatUsd } from '@proxygate-kit/sdk';
