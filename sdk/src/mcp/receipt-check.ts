// Offline verification of the receipt a `call_api` tool result carries: the signature against
// the pinned key set, the request and response hashes against what was actually sent and
// received, and the unsigned fields of the tool result against the signed ones.
import type { KeySet } from '../receipts/key-set.js';
import { decodeReceiptHeader } from '../receipts/parse.js';
import type { FailedVerdict, Receipt, ValidVerdict } from '../receipts/types.js';
import { downgradeVerdict, fail, isVerdict, parseToVerdict, verifyValidated } from '../receipts/verify.js';
import { shieldFromSigned, type ShieldVerdict } from '../shield/index.js';
import { callBindingMismatch } from '../resources/calls/binding.js';
import { isListingId } from '../internal/listing-id.js';
import type { CallApiToolOutput } from './tool-schemas.js';

/**
 * A receipt verdict of a paid MCP call: the receipts' `Verdict` (a union on `valid`) with the
 * signed shield verdict of a receipt that verified. Besides the receipt reasons, `downgrade`: a
 * validly signed v1/v2 receipt where this gateway is known to sign v3 for the token (v1/v2 bind
 * neither the request nor the response, so a relay could have swapped the body).
 */
export type CallReceiptVerdict =
  | (ValidVerdict & {
      /** The signed shield verdict (v3; null for v1/v2, which sign none). */
      shield: ShieldVerdict | null;
    })
  | (FailedVerdict & { shield: null });

/** Who the signed receipt must name as buyer, and the weakest version accepted. */
export interface ReceiptExpectations {
  /** The token id (`GET /v1/tokens/self`): the `buyer` of v3 receipts. */
  tokenId?: string | undefined;
  /** The account wallet (`GET /v1/me`): the `buyer` of v1/v2 receipts. */
  wallet?: string | undefined;
  /** 3 once the gateway advertises `receipt_v3` or has signed a v3 receipt for this token. */
  minVersion?: 1 | 2 | 3;
}

/**
 * The `call_api` arguments the receipt is checked against: what the tool was asked to send (a
 * REST paid call describes what it sent as `SentRequest`, in its own wire form).
 */
export interface CalledTool {
  listing_id: string;
  /** The shield mode asked for; the signed receipt must have applied it. */
  shield?: string | undefined;
  method?: string | undefined;
  path: string;
  query?: Record<string, string> | undefined;
  body?: string | undefined;
}

const failed = (reason: FailedVerdict['reason'], message: string, receipt?: Receipt, field?: string): CallReceiptVerdict => ({
  ...fail(reason, message, field, receipt),
  shield: null,
});

/** What the tool result claims next to the receipt; `body` is absent when the shield withheld it. */
export type ReceiptClaims = Pick<CallApiToolOutput, 'receipt'> & {
  /**
   * The request id the result claims; undefined when it claims none (a tool error's body may not):
   * then only a v3 receipt, which binds the call itself, can verify.
   */
  request_id?: string | undefined;
  /** The claimed charge; undefined when nothing claims one (a blocked call's error: the receipt says). */
  amount_micro_usd?: number | undefined;
  body?: string | undefined;
};

/** The mismatch of a v1/v2 receipt beside an answer that claims no request id. */
const NO_REQUEST_ID = 'request_id (none claimed)';

/**
 * Fields of the tool result that the signature does not cover must agree with the signed ones,
 * and the signed call must be ours: a receipt replayed from another token's identical call has a
 * valid signature and matching hashes, only its `buyer` tells.
 */
function unsignedMismatch(receipt: Receipt, output: ReceiptClaims, sent: CalledTool, expected: ReceiptExpectations): string | undefined {
  if (output.request_id === undefined) {
    // v1/v2 are tied to their call only by request_id (and buyer): with none claimed, a genuine
    // receipt of an earlier call would pass for this one. v3 binds the call itself (below).
    if (receipt.receipt_version !== 3) return NO_REQUEST_ID;
  } else if (receipt.request_id !== output.request_id) return 'request_id';
  if (output.amount_micro_usd !== undefined && String(receipt.amount) !== String(output.amount_micro_usd)) return 'amount';
  // v1/v2 name the account wallet: someone else's genuine receipt must not pass for ours.
  if (receipt.receipt_version !== 3) return expected.wallet !== undefined && receipt.buyer !== expected.wallet ? 'buyer' : undefined;
  const buyer = expected.tokenId;
  return callBindingMismatch(receipt, {
    // Only a listing id (UUID) can be compared with the signed one.
    listingId: isListingId(sent.listing_id) ? sent.listing_id : undefined,
    method: sent.method ?? 'GET',
    path: sent.path,
    buyer,
    shieldMode: sent.shield,
  })?.field;
}

const MISMATCH_MESSAGE: Record<string, string> = {
  [NO_REQUEST_ID]: 'the answer named no request_id, so a v1/v2 receipt cannot be tied to this call',
  buyer: "the signed receipt's buyer is not this client's token (or account wallet)",
  'shield.mode': 'the signed receipt applied another shield mode than the one requested',
};

export async function verifyCallReceipt(
  output: ReceiptClaims,
  sent: CalledTool,
  keys: KeySet | undefined,
  expected: ReceiptExpectations = {},
): Promise<CallReceiptVerdict> {
  const receipt = parseToVerdict(output.receipt, (raw: string) => decodeReceiptHeader(raw));
  if (isVerdict(receipt)) return { ...receipt, shield: null };
  if (!keys) {
    // Failing closed: an unverified receipt proves nothing, so it counts as invalid.
    return failed('unknown_key', 'no receipt key set pinned (pass `keys` to connectGateway)', receipt, 'kid');
  }
  // Decoded and validated just above: not parsed again.
  const verdict = await verifyValidated(receipt, {
    keys,
    content: {
      request: { method: sent.method ?? 'GET', path: sent.path, ...(sent.query ? { query: sent.query } : {}), body: sent.body ?? null },
      ...(output.body === undefined ? {} : { response: output.body }),
    },
  });
  if (!verdict.valid) return { ...verdict, shield: null };
  if ((receipt.receipt_version ?? 1) < (expected.minVersion ?? 1)) {
    return { ...downgradeVerdict(receipt, 'this gateway signs v3 receipts for this token'), shield: null };
  }
  const field = unsignedMismatch(receipt, output, sent, expected);
  if (field) {
    const message = MISMATCH_MESSAGE[field] ?? `the tool result's ${field} differs from the signed receipt`;
    return failed('content_mismatch', message, receipt, field === NO_REQUEST_ID ? 'request_id' : field);
  }
  const shield = receipt.receipt_version === 3 ? shieldFromSigned(receipt.shield) : null;
  return { ...verdict, shield };
}
