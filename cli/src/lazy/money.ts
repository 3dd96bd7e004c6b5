// The SDK's dollar formatter alone, for the offline receipt commands (audit totals, `--list`
// amounts), imported only when one of them runs. A module that re-exports one name keeps the
// start-up bundle to that function; import() of the money subpath itself would keep all of it.
export { formatUsd } from '@proxygate-kit/sdk/money';
