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
  /** The `no_keys` message when `verify` is undefined (default: no keys configured). */
  unverified?: string | undefined;
  /** False when `response` is not the delivered bytes (error bodies): skip the local response check. */
  checkResponse?: boolean;
  /** The call actually made: a signed receipt describing another call, buyer or a higher charge is reported. */
  expected?: ExpectedCall | undefined;
}

/** What the receipt of this call must say. */
export interface ExpectedCall {
  listingId: string;
  service: string;
  /** The token id, when the client knows it (after `tokens.self()`). */
  buyer?: string | undefined;
  /** The caller's `maxCost` (micro-USD): a charged amount above it is an overcharge. */
  maxCost?: bigint | undefined;
  /** The shield mode requested: a receipt that applied another (strict asked, off applied) is a mismatch. */
  shieldMode?: 'off' | 'monitor' | 'strict' | undefined;
  /** The wallet v1/v2 receipts must name as `buyer` (their buyer is the account wallet), when known. */
  buyerWallet?: string | undefined;
  /**
   * The lowest receipt version this token's calls may carry: 3 once the gateway signed a v3
   * receipt for it (or advertises `receipt_v3`). A lower one is a `downgrade`: it binds neither
   * the request nor the response, so a hostile intermediary could pair it with another body.
   */
  minVersion?: 1 | 2 | 3 | undefined;
}

/**
 * A receipt that was not verified: the client has no receipt keys (or the call passed
 * `verifyReceipt: false`). Never `valid`: an unverified receipt proves nothing yet; keep it and
 * verify it offline later (`receipts verify`).
 */
export interface NoKeysVerdict {
  valid: false;
  reason: 'no_keys';
  message: string;
  field?: string;
  receipt?: Receipt;
  time?: Verdict['time'];
}

/** The verdict of a paid call's receipt: a verification verdict, or `no_keys`. */
export type PaidReceiptVerdict = Verdict | NoKeysVerdict;

/** True when the verdict found nothing wrong but proves nothing either (no keys). */
export function isUnverified(verdict: PaidReceiptVerdict | null): boolean {
  return verdict === null || verdict.reason === 'no_keys';
}

export const NO_KEYS_MESSAGE = 'not verified: no receipt keys are configured (pass `keys`; keep the receipt and verify it offline)';

export interface Settlement {
  receipt: Receipt | null;
  /** The receipt exactly as sent (kept even when it cannot be parsed or verified), or null when none came. */
  rawReceipt: string | null;
  /**
   * Null only when no receipt came (and none was required). A receipt that was not verified for
   * want of keys (and showed no local problem) is `no_keys`, `valid: false`.
   */
  receiptVerdict: PaidReceiptVerdict | null;
  shield: ShieldVerdict | null;
  /** Amount of the receipt in micro-USD: a number when safe, else a bigint. */
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

/** Integer micro-USD from a receipt amount (integer string or safe integer). */
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

/** What a paid call's v3 receipt must name; a field left undefined is not checked. */
export interface CallBinding {
  listingId?: string | undefined;
  service?: string | undefined;
  method: string;
  path: string;
  buyer?: string | undefined;
  /** A scan silently skipped (or weakened) is not the call that was asked for. */
  shieldMode?: string | undefined;
}

/**
 * The first field of a v3 receipt that names another call than `call`, with what it says and
 * what the call wanted. Shared by REST paid calls and the MCP `call_api` check.
 */
export function callBindingMismatch(receipt: ReceiptV3, call: CallBinding): { field: string; got: unknown; want: string } | undefined {
  const fields: [string, unknown, string | undefined][] = [
    ['listing_id', receipt.listing_id, call.listingId],
    ['service', receipt.service, call.service],
    ['method', receipt.method, call.method],
    ['path', receipt.path, call.path],
    ['buyer', receipt.buyer, call.buyer],
    ['shield.mode', receipt.shield?.mode, call.shieldMode],
  ];
  for (const [field, got, want] of fields) if (want !== undefined && got !== want) return { field, got, want };
  return undefined;
}

function bindingMismatch(receipt: ReceiptV3, request: SentRequest, expected: ExpectedCall): Verdict | null {
  const mismatch = callBindingMismatch(receipt, { ...expected, method: request.method, path: request.path });
  if (!mismatch) return null;
  const { field, got, want } = mismatch;
  return mismatchVerdict(receipt, field, `the receipt's ${field} ${JSON.stringify(got)} is not the call's ${JSON.stringify(want)}`);
}

/** A receipt weaker than this token's receipts are (`minVersion`), or a v1/v2 receipt of another wallet. */
export function legacyReceiptProblem(receipt: Receipt, expected: Pick<ExpectedCall, 'buyerWallet' | 'minVersion'>): Verdict | null {
  const version = receipt.receipt_version ?? 1;
  if (version === 3) return null;
  if (version < (expected.minVersion ?? 1)) {
    return {
      valid: false,
      reason: 'downgrade',
      field: 'receipt_version',
      message: `a v${version} receipt binds neither the request nor the response, and this token's receipts are v3: refused as a downgrade`,
      receipt,
    };
  }
  if (expected.buyerWallet !== undefined && receipt.buyer !== expected.buyerWallet) {
    return mismatchVerdict(receipt, 'buyer', `the receipt's buyer ${JSON.stringify(receipt.buyer)} is not this client's wallet ${JSON.stringify(expected.buyerWallet)}`);
  }
  return null;
}

function overcharge(receipt: Receipt, maxCost: bigint | undefined): Verdict | null {
  if (maxCost === undefined) return null;
  const amount = amountOf(receipt);
  if (amount === null || BigInt(amount) <= maxCost) return null;
  return mismatchVerdict(receipt, 'amount', `overcharge: the receipt charges ${amount} micro-USD, above maxCost ${maxCost}`);
}

export async function settleReceipt(input: SettleInput): Promise<Settlement> {
  const { claimedShield } = input;
  if (input.rawReceipt === undefined) {
    const receiptVerdict: Verdict | null =
      input.verify && input.receiptExpected
        ? { valid: false, reason: 'malformed', field: 'receipt', message: 'the gateway sent no receipt for a charged call' }
        : null;
    return { receipt: null, rawReceipt: null, receiptVerdict, shield: claimedShield, cost: null, requestId: null };
  }

  const decoded = decode(input.rawReceipt);
  if ('verdict' in decoded) {
    return { receipt: null, rawReceipt: input.rawReceipt, receiptVerdict: decoded.verdict, shield: claimedShield, cost: null, requestId: null };
  }
  const { receipt } = decoded;
  let receiptVerdict: Verdict | null = null;
  if (input.verify) {
    receiptVerdict = await input.verify(receipt, { request: input.request, response: input.response });
  } else if (receipt.receipt_version === 3) {
    receiptVerdict = await localContentCheck(receipt, input.request, input.checkResponse === false ? undefined : input.response);
  }

  // A bad signature or content hash says more than any field below; otherwise report the first problem.
  const report = (problem: Verdict | null): void => {
    if (problem && (receiptVerdict === null || receiptVerdict.valid)) receiptVerdict = problem;
  };
  if (input.expected && receipt.receipt_version === 3) report(bindingMismatch(receipt, input.request, input.expected));
  if (input.expected) report(legacyReceiptProblem(receipt, input.expected));

  let shield = claimedShield;
  if (receipt.receipt_version === 3) {
    const signed = shieldFromSigned(receipt.shield);
    if (signed) {
      const problem = claimedShield ? shieldMismatch(claimedShield, signed) : null;
      if (problem) {
        report(mismatchVerdict(receipt, 'shield', `shield headers disagree with the signed receipt (${problem}); the signed verdict is used`));
      }
      shield = signed;
    }
  }
  report(overcharge(receipt, input.expected?.maxCost));
  const unverified: NoKeysVerdict = { valid: false, reason: 'no_keys', message: input.unverified ?? NO_KEYS_MESSAGE, receipt };

  return {
    receipt,
    rawReceipt: input.rawReceipt,
    receiptVerdict: receiptVerdict ?? unverified,
    shield,
    cost: amountOf(receipt),
    requestId: typeof receipt.request_id === 'string' ? receipt.request_id : null,
  };
}
