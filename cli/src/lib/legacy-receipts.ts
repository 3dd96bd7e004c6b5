// A `downgrade` verdict in words, for every command that makes a paid call (call, mcp call, mcp
// serve): its signature verified; the receipt is only older than what the gateway signs, and
// --allow-legacy-receipts is the way out for a token the gateway keeps on legacy receipts.
// A leaf module: the fast paths (errors.ts) read it without oclif.

interface VerdictLike {
  reason: string;
  receipt?: { receipt_version?: number | undefined } | null | undefined;
}

/** The way out of a downgrade, as every paid-call command names it. */
export const ALLOW_LEGACY_RECEIPTS_HINT = 'if the gateway keeps this token on legacy receipts, pass --allow-legacy-receipts (never accepted once the token had a v3 receipt)';

export const ALLOW_LEGACY_RECEIPTS_ACTION = `${ALLOW_LEGACY_RECEIPTS_HINT}; otherwise keep the response and the receipt and report the request id to the gateway`;

/** What a downgraded receipt is: "v1, older than ...". */
export function legacyReceiptText(verdict: VerdictLike): string {
  return `v${verdict.receipt?.receipt_version ?? 1}, older than the v3 receipts this gateway signs: a downgrade (its signature verified, but v1/v2 bind neither the request nor the response)`;
}

/** Why a paid call's receipt was refused: what happened for a downgrade, else that it did not verify. */
export function receiptRefusal(verdict: VerdictLike): string {
  return verdict.reason === 'downgrade' ? `the receipt is ${legacyReceiptText(verdict)}` : `the receipt did not verify (${verdict.reason})`;
}
