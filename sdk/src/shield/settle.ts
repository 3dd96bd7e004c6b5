// Settles what a paid call proved: decodes its receipt, verifies it against the pinned key set
// (signature, key validity, and content binding of what was sent and received), and reconciles
// the shield verdict. Signed values win over headers; a header verdict that disagrees with the
// signed one turns the receipt verdict into `content_mismatch`. Never throws for a bad receipt:
// the response is never lost because its receipt could not be checked.
import { ReceiptParseError } from '../receipts/errors.js';
import { decodeReceiptHeader } from '../receipts/parse.js';
import { requestSha256, responseSha256 } from '../receipts/hashes.js';
import type { Receipt, ReceiptV3, Verdict } from '../receipts/types.js';
import { shieldFromSigned, shieldMismatch, type ShieldVerdict } from './verdict.js';

/** What was sent upstream, in the form `request_sha256` covers. */
export interface SentRequest {
  method: string;
  /** Upstream path (after `/proxy/{service}`). */
  path: string;
  /** Upstream query, without `listing`. */
  query: [string, string][];
  body: Uint8Array | undefined;
}

/** Verifies one receipt; supplied by the caller so this module stays free of key handling. */
export type ReceiptVerifier = (
  receipt: Receipt,
  content: { request: SentRequest; response: Uint8Array },
) => Promise<Verdict>;

export interface SettleInput {
  /** Receipt as sent: a header value (base64 or JSON), or undefined when none came. */
  rawReceipt: string | undefined;
  /** Verdict claimed by headers or the SSE receipt event. */
  claimedShield: ShieldVerdict | null;
  request: SentRequest;
  response: Uint8Array;
  /** Undefined when the client has no pinned key set: the receipt is then parsed, not verified. */
  verify: ReceiptVerifier | undefined;
  /** Whether a receipt must come (a charged call with a pinned key set). */
  receiptExpected: boolean;
  /** False when `response` is not the delivered bytes (error bodies): skip the local response check. */
  checkResponse?: boolean;
}

export interface Settlement {
  receipt: Receipt | null;
  /** Null only when nothing could be checked: no key set and no local mismatch found. */
  receiptVerdict: Verdict | null;
  shield: ShieldVerdict | null;
  /** Amount of the receipt in micro-cents: a number when safe, else a bigint. */
  cost: number | bigint | null;
  requestId: string | null;
}

function decode(raw: string): { receipt: Receipt } | { verdict: Verdict } {
  try {
    return { receipt: decodeReceiptHeader(raw) };
  } catch (error) {
    if (error instanceof ReceiptParseError) {
      const verdict: Verdict = { valid: false, reason: error.reason, message: error.message };
      if (error.field) verdict.field = error.field;
      return { verdict };
    }
    throw error;
  }
}

/** Integer micro-cents from a receipt amount (integer string or safe integer). */
export function amountOf(receipt: Receipt): number | bigint | null {
  const amount: unknown = receipt.amount;
  if (typeof amount === 'number') return Number.isSafeInteger(amount) ? amount : null;
  if (typeof amount !== 'string' || !/^(0|[1-9]\d*)$/.test(amount)) return null;
  const big = BigInt(amount);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

function mismatchVerdict(receipt: Receipt, field: string, message: string): Verdict {
  return { valid: false, reason: 'content_mismatch', field, message, receipt };
}

/**
 * Content binding checked without keys: it proves nothing about the signer, but a receipt that
 * describes another request or response is wrong whoever signed it.
 */
async function localContentCheck(receipt: ReceiptV3, request: SentRequest, response: Uint8Array | undefined): Promise<Verdict | null> {
  const sent = await requestSha256({ method: request.method, path: request.path, query: request.query, body: request.body });
  if (sent !== receipt.request_sha256) {
    return mismatchVerdict(receipt, 'request_sha256', 'request_sha256 does not match the request that was sent');
  }
  if (response !== undefined && (await responseSha256(response)) !== receipt.response_sha256) {
    return mismatchVerdict(receipt, 'response_sha256', 'response_sha256 does not match the bytes received');
  }
  return null;
}

export async function settleReceipt(input: SettleInput): Promise<Settlement> {
  const { claimedShield } = input;
  if (input.rawReceipt === undefined) {
    const receiptVerdict: Verdict | null =
      input.verify && input.receiptExpected
        ? { valid: false, reason: 'malformed', field: 'receipt', message: 'the gateway sent no receipt for a charged call' }
        : null;
    return { receipt: null, receiptVerdict, shield: claimedShield, cost: null, requestId: null };
  }

  const decoded = decode(input.rawReceipt);
  if ('verdict' in decoded) {
    return { receipt: null, receiptVerdict: decoded.verdict, shield: claimedShield, cost: null, requestId: null };
  }
  const { receipt } = decoded;
  let receiptVerdict: Verdict | null = null;
  if (input.verify) {
    receiptVerdict = await input.verify(receipt, { request: input.request, response: input.response });
  } else if (receipt.receipt_version === 3) {
    receiptVerdict = await localContentCheck(receipt, input.request, input.checkResponse === false ? undefined : input.response);
  }

  let shield = claimedShield;
  if (receipt.receipt_version === 3) {
    const signed = shieldFromSigned(receipt.shield);
    if (signed) {
      const problem = claimedShield ? shieldMismatch(claimedShield, signed) : null;
      // A bad signature says more than a mismatch; otherwise the mismatch is what to report.
      if (problem && (receiptVerdict === null || receiptVerdict.valid)) {
        receiptVerdict = mismatchVerdict(
          receipt,
          'shield',
          `shield headers disagree with the signed receipt (${problem}); the signed verdict is used`,
        );
      }
      shield = signed;
    }
  }

  return {
    receipt,
    receiptVerdict,
    shield,
    cost: amountOf(receipt),
    requestId: typeof receipt.request_id === 'string' ? receipt.request_id : null,
  };
}
