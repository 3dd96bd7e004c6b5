// `@proxygate-kit/sdk/money`: the SDK's one money module alone (integer micro-USD, exact text),
// for code that formats or parses amounts without loading the client (the CLI's renderers).
// The main entry re-exports this list, so both entries always offer the same functions.
export {
  formatUsd,
  parseUsd,
  sumMicroUsd,
  toMicroUsd,
  toSafeNumber,
  usdToMicroUsd,
  usdPerTokenToMicroUsdPerMillion,
  MICRO_USD_PER_USD,
  MICRO_USD_PER_CENT,
} from './lib/money.js';
