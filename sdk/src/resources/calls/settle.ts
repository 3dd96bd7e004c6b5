// Settles what a paid call proved: decodes its receipt (once), verifies it against the pinned key
// set (signature, key validity, and content binding of what was sent and received), and reconciles
// the shield verdict. Signed values win over headers; a header verdict that disagrees with the
// signed one turns the receipt verdict into `content_mismatch`. Never throws for a bad receipt:
// the response is never lost because its receipt could not be checked.
import { decodeReceiptHeader } from '../../receipts/parse.js';
import { requestSha256, responseSha256 } from '../../receipts/hashes.js';
import type { FailedVerdict, Receipt, ReceiptV3, Verdict } from '../../receipts/types.js';
import { receiptAmount } from '../../receipts/amount.js';
import { downgradeVerdict, fail, isVerdict, parseToVerdict } from '../../receipts/verify.js';
import { shieldFromSigned, shieldMismatch, type ShieldVerdict } from '../../shield/verdict.js';
import { callBindingMismatch } from './binding.js';
import { NO_KEYS_MESSAGE, noKeysVerdict, type PaidReceiptVerdict } from './receipt-verdict.js';

/** What was sent upstream, in the form `request_sha256` covers (the one description of a sent paid call). */
export interface SentRequest {
  method: string;
  /** Upstream path (after `/proxy/{service}`), percent-encoded as sent. */
  path: string;
  /** Upstream query, without `listing`. */
  query: [string, string][];
  body: Uint8Array | undefined;
}

/** Verifies one receipt; supplied by the caller so this module stays free of key handling. */
export type ReceiptVerifier = (receipt: Receipt, content: { request: SentRequest; response: Uint8Array }) => Promise<Verdict>;

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
  /**
   * The wallet v1/v2 receipts must name as `buyer`, asked only when the receipt is v1/v2 (learning
   * it may cost a request); overrides `expected.buyerWallet`.
   */
  walletOf?: (() => Promise<string | undefined>) | undefined;
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
  /** Amount of the receipt in micro-USD (see `CallResult.cost`), null when no receipt parsed. */
  cost: bigint | null;
  requestId: string | null;
}

const mismatch = (receipt: Receipt, field: string, message: string): FailedVerdict => fail('content_mismatch', message, field, receipt);

/**
 * Content binding checked without keys: it proves nothing about the signer, but a receipt that
 * describes another request or response is wrong whoever signed it.
 */
async function localContentCheck(receipt: ReceiptV3, request: SentRequest, response: Uint8Array | undefined): Promise<FailedVerdict | null> {
  const sent = await requestSha256({ method: request.method, path: request.path, query: request.query, body: request.body });
  if (sent !== receipt.request_sha256) return mismatch(receipt, 'request_sha256', 'request_sha256 does not match the request that was sent');
  if (response !== undefined && (await responseSha256(response)) !== receipt.response_sha256) {
    return mismatch(receipt, 'response_sha256', 'response_sha256 does not match the bytes received');
  }
  return null;
}

function bindingMismatch(receipt: ReceiptV3, request: SentRequest, expected: ExpectedCall): FailedVerdict | null {
  const found = callBindingMismatch(receipt, { ...expected, method: request.method, path: request.path });
  if (!found) return null;
  const { field, got, want } = found;
  return mismatch(receipt, field, `the receipt's ${field} ${JSON.stringify(got)} is not the call's ${JSON.stringify(want)}`);
}

/** A receipt weaker than this token's receipts are (`minVersion`), or a v1/v2 receipt of another wallet. */
function legacyReceiptProblem(receipt: Receipt, expected: Pick<ExpectedCall, 'buyerWallet' | 'minVersion'>): FailedVerdict | null {
  const version = receipt.receipt_version ?? 1;
  if (version === 3) return null;
  if (version < (expected.minVersion ?? 1)) {
    return downgradeVerdict(receipt, "this token's receipts are v3");
  }
  if (expected.buyerWallet !== undefined && receipt.buyer !== expected.buyerWallet) {
    return mismatch(receipt, 'buyer', `the receipt's buyer ${JSON.stringify(receipt.buyer)} is not this client's wallet ${JSON.stringify(expected.buyerWallet)}`);
  }
  return null;
}

function overcharge(receipt: Receipt, maxCost: bigint | undefined): FailedVerdict | null {
  if (maxCost === undefined) return null;
  const amount = receiptAmount(receipt);
  if (amount === null || amount <= maxCost) return null;
  return mismatch(receipt, 'amount', `overcharge: the receipt charges ${amount} micro-USD, above maxCost ${maxCost}`);
}

export async function settleReceipt(input: SettleInput): Promise<Settlement> {
  const { claimedShield } = input;
  if (input.rawReceipt === undefined) {
    const receiptVerdict =
      input.verify && input.receiptExpected ? fail('malformed', 'the gateway sent no receipt for a charged call', 'receipt') : null;
    return { receipt: null, rawReceipt: null, receiptVerdict, shield: claimedShield, cost: null, requestId: null };
  }

  const decoded = parseToVerdict(input.rawReceipt, (raw: string) => decodeReceiptHeader(raw));
  if (isVerdict(decoded)) {
    return { receipt: null, rawReceipt: input.rawReceipt, receiptVerdict: decoded, shield: claimedShield, cost: null, requestId: null };
  }
  const receipt = decoded;
  let receiptVerdict: Verdict | null = null;
  if (input.verify) {
    receiptVerdict = await input.verify(receipt, { request: input.request, response: input.response });
  } else if (receipt.receipt_version === 3) {
    receiptVerdict = await localContentCheck(receipt, input.request, input.checkResponse === false ? undefined : input.response);
  }

  // A bad signature or content hash says more than any field below; otherwise report the first problem.
  const report = (problem: FailedVerdict | null): void => {
    if (problem && (receiptVerdict === null || receiptVerdict.valid)) receiptVerdict = problem;
  };
  let expected = input.expected;
  if (expected && receipt.receipt_version !== 3 && input.walletOf) expected = { ...expected, buyerWallet: await input.walletOf() };
  if (expected && receipt.receipt_version === 3) report(bindingMismatch(receipt, input.request, expected));
  if (expected) report(legacyReceiptProblem(receipt, expected));

  let shield = claimedShield;
  if (receipt.receipt_version === 3) {
    const signed = shieldFromSigned(receipt.shield);
    if (signed) {
      const problem = claimedShield ? shieldMismatch(claimedShield, signed) : null;
      if (problem) report(mismatch(receipt, 'shield', `shield headers disagree with the signed receipt (${problem}); the signed verdict is used`));
      shield = signed;
    }
  }
  report(overcharge(receipt, expected?.maxCost));

  return {
    receipt,
    rawReceipt: input.rawReceipt,
    receiptVerdict: receiptVerdict ?? noKeysVerdict(input.unverified ?? NO_KEYS_MESSAGE, receipt),
    shield,
    cost: receiptAmount(receipt),
    requestId: receipt.request_id,
  };
}
