// Paid calls, one concern per file: calls.ts (the `Calls` pipeline), options.ts and results.ts
// (what a call is asked and gives back), prepare.ts (local and price checks), listing-cache.ts
// (listing lookups), wire.ts (bytes, path and query as sent, body decoding), verifier.ts (the
// pinned keys), settle.ts (the receipt settled once: verify, bind, reconcile the shield verdict)
// with binding.ts (the call a v3 receipt names) and token-facts.ts (what this token's receipts
// must show), receipt-verdict.ts, failure.ts (receipts of failed calls), stream.ts (`CallStream`),
// receipt-hook.ts and trail-line.ts (`onReceipt` and the trail line), errors.ts. Abort-signal
// helpers are shared with the client: core/signals.ts.
export { Calls } from './calls.js';
export { CallStream } from './stream.js';
export { MaxCostExceededError, ReceiptHookError, UnboundedCostError } from './errors.js';
export { LISTING_TTL_MS } from './listing-cache.js';
export { splitUpstreamPath } from './wire.js';
export type { ReceiptCallDetails, ReceiptEvent, ReceiptHook } from './receipt-hook.js';
export { receiptTextOf, receiptTrailLine, type TrailEntry } from './trail-line.js';
export type { BodySchema, CallQuery, ListingRef, PaidCallOptions } from './options.js';
export type { CallFunction, CallResult, CallResultBase, ParsedCallResult, UnparsedCallResult, PaidCallErrorDetails, ShieldBlockedDetails, StreamOutcome } from './results.js';
export { noKeysVerdict, type NoKeysVerdict, type PaidReceiptVerdict } from './receipt-verdict.js';
