// A paid call that failed after the gateway answered: the receipt that came with the failure (a
// strict block's refund, an upstream error status passed through, a body lost after the charge)
// is settled and attached to the error, so it is never lost.
import { APIError, markPaidCall, ProxygateError, ShieldBlockedError } from '../../core/error.js';
import { attachCredential, credentialOf } from '../../internal/credential.js';
import { receiptHeader } from '../../internal/paid-call.js';
import { joinSentences } from '../../internal/text.js';
import { attachResponseHeaders, responseHeadersOf } from '../../internal/response-headers.js';
import type { KeySet } from '../../receipts/key-set.js';
import { parseShieldHeaders, SHIELD_HEADERS, shieldFromSigned, type ShieldVerdict } from '../../shield/verdict.js';
import type { Prepared } from './prepare.js';
import { isUnverified } from './receipt-verdict.js';
import type { PaidCallErrorDetails, ShieldBlockedDetails } from './results.js';
import type { ReceiptVerifier, SettleInput, Settlement } from './settle.js';
import { verifierFor } from './verifier.js';

/** What the failure needs of the `Calls` resource: its keys, its settling and its hooks. */
export interface FailureContext {
  keys: KeySet | undefined;
  settle(prepared: Prepared, credential: string | undefined, input: Omit<SettleInput, 'expected'>): Promise<Settlement>;
  record(
    prepared: Prepared,
    credential: string | undefined,
    input: Omit<SettleInput, 'expected'>,
    settlement: Settlement,
    at: { status: number | null; idempotencyKey: string | null; outcome: 'answered' | 'blocked' | 'failed' },
    scope: 'full' | 'request',
  ): void;
}

/**
 * Attaches the decoded, verified receipt of a charged (or refunded) failure to the error. A
 * block's unsigned claims (refund, score, flags) become facts only where a verified receipt says
 * the same, and a 422 whose body was damaged on the way is still a `ShieldBlockedError` when its
 * signed v3 receipt says `blocked`.
 */
export async function explainFailure(error: unknown, prepared: Prepared, context: FailureContext): Promise<unknown> {
  if (!(error instanceof ProxygateError)) return error;
  const headers = responseHeadersOf(error);
  if (!headers) return error;
  const rawReceipt = receiptHeader(headers);
  if (rawReceipt === undefined && !(error instanceof ShieldBlockedError)) return error;
  // The upstream body is not at hand as bytes (blocked: never delivered; lost: cut off), so only the request side is bound.
  const verify: ReceiptVerifier | undefined = prepared.verify && context.keys ? verifierFor(context.keys, 'request') : undefined;
  const input: Omit<SettleInput, 'expected'> = {
    rawReceipt,
    claimedShield: error instanceof ShieldBlockedError ? blockedShield(headers, error) : parseShieldHeaders(headers),
    request: prepared.sent,
    response: new Uint8Array(0),
    verify,
    receiptExpected: false,
    checkResponse: false,
    unverified: prepared.unverified,
  };
  const credential = credentialOf(error);
  const settlement = await context.settle(prepared, credential, input);
  const verified = settlement.receiptVerdict?.valid === true;
  const signedShield = settlement.receipt?.receipt_version === 3 ? shieldFromSigned(settlement.receipt.shield) : null;
  let failure: ProxygateError = error;
  if (!(error instanceof ShieldBlockedError) && error instanceof APIError && error.status === 422 && signedShield?.action === 'blocked' && (verified || isUnverified(settlement.receiptVerdict))) {
    failure = rebuildAsBlock(error, headers);
  }
  context.record(prepared, credential, input, settlement, {
    status: error instanceof APIError ? (error.status ?? null) : null,
    idempotencyKey: error.idempotencyKey ?? prepared.idempotencyKey ?? null,
    outcome: failure instanceof ShieldBlockedError ? 'blocked' : 'failed',
  }, 'request');
  const details: PaidCallErrorDetails = {
    receipt: settlement.receipt,
    rawReceipt: settlement.rawReceipt,
    receiptVerdict: settlement.receiptVerdict,
    shield: settlement.shield,
    cost: settlement.cost,
    receiptVerified: verified,
  };
  const requestId = settlement.requestId ?? error.requestId;
  if (failure instanceof ShieldBlockedError) {
    if (verified && settlement.receipt && settlement.cost !== null) failure.settle({ amount: settlement.cost, shield: signedShield ?? undefined });
    const refund: Pick<ShieldBlockedDetails, 'refundReceipt' | 'refundReceiptVerdict'> = {
      refundReceipt: settlement.receipt,
      refundReceiptVerdict: settlement.receiptVerdict,
    };
    Object.assign(failure, details, refund, { requestId });
  } else {
    Object.assign(failure, details, { requestId });
  }
  return failure;
}

/** The same answer as a `ShieldBlockedError` (the signed receipt says the shield blocked it), keeping the call's recovery marks. */
function rebuildAsBlock(error: APIError, headers: Headers): ShieldBlockedError {
  const block = new ShieldBlockedError({ status: 422, headers, body: error.body });
  block.message = joinSentences(block.message, 'the error body was damaged; the signed receipt says the shield blocked the response)', ' (');
  if (error.recovery !== undefined) markPaidCall(block, { idempotencyKey: error.idempotencyKey, recovery: error.recovery });
  attachResponseHeaders(block, headers);
  attachCredential(block, credentialOf(error));
  return block;
}

/** A 422 block's verdict: the headers' (the public gateway sends no action header: a block is `blocked`), else the body's. */
function blockedShield(headers: Headers, error: ShieldBlockedError): ShieldVerdict | null {
  const fromHeaders = parseShieldHeaders(headers);
  if (!fromHeaders) return blockBodyShield(error);
  return headers.has(SHIELD_HEADERS.action) ? fromHeaders : { ...fromHeaders, action: 'blocked' };
}

function blockBodyShield(error: ShieldBlockedError): ShieldVerdict | null {
  if (error.score === undefined) return null;
  const scoreBp = Math.round(error.score * 10_000);
  return { mode: 'strict', scoreBp, score: scoreBp / 10_000, flags: [...error.flags], action: 'blocked', source: 'headers' };
}
