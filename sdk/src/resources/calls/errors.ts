// The errors of paid calls: the refusals of a call whose cost `maxCost` cannot allow (thrown
// before anything is sent), and an `onReceipt` hook's failure (receipt-hook.ts throws it).
import { ProxygateError } from '../../core/error.js';
import { errorJson } from '../../internal/errors.js';
import { joinSentences } from '../../internal/text.js';
import type { ShieldMode } from '../../shield/verdict.js';
import type { Listing } from '../models.js';

function listingName(listing: Listing): string {
  return listing.seller_slug ? `${listing.seller_slug}/${listing.slug}` : listing.slug;
}

/** The call would cost more than `maxCost`: refused before anything was sent. */
export class MaxCostExceededError extends ProxygateError {
  /** The most the call costs, micro-USD (shield surcharge included unless `off`). */
  readonly priceMicroUsd: bigint;
  readonly maxCostMicroUsd: bigint;
  readonly listingId: string;

  constructor(listing: Listing, price: bigint, maxCost: bigint, shield: ShieldMode) {
    const fee = shield === 'off' ? '' : ' including the shield surcharge';
    super(`Listing ${listingName(listing)} costs ${price} micro-USD${fee}, above maxCost ${maxCost}; nothing was sent`, {
      code: 'max_cost_exceeded',
      action: 'Raise maxCost, pick a cheaper listing, or call with shield: "off" to skip the shield surcharge',
    });
    this.priceMicroUsd = price;
    this.maxCostMicroUsd = maxCost;
    this.listingId = listing.listing_id;
  }

  override toJSON(): Record<string, unknown> {
    return errorJson({
      ...super.toJSON(),
      priceMicroUsd: this.priceMicroUsd.toString(),
      maxCostMicroUsd: this.maxCostMicroUsd.toString(),
      listingId: this.listingId,
    });
  }
}

/**
 * `maxCost` was set but the call's cost cannot be known before it is made (per-token pricing):
 * refused before anything was sent, unless the call opts in with `allowUnboundedCost: true`.
 */
export class UnboundedCostError extends ProxygateError {
  readonly listingId: string;
  readonly maxCostMicroUsd: bigint;

  constructor(listing: Listing, maxCost: bigint, reason: string) {
    super(joinSentences(`maxCost ${maxCost} micro-USD cannot bound a call to ${listingName(listing)} before it is made: ${reason}`, 'nothing was sent', '; '), {
      code: 'max_cost_unbounded',
      action: 'Pass allowUnboundedCost: true to call anyway (the receipt amount is then checked against maxCost after the call), or drop maxCost',
    });
    this.listingId = listing.listing_id;
    this.maxCostMicroUsd = maxCost;
  }

  override toJSON(): Record<string, unknown> {
    return errorJson({ ...super.toJSON(), listingId: this.listingId, maxCostMicroUsd: this.maxCostMicroUsd.toString() });
  }
}

/**
 * An `onReceipt` hook failed after a paid call that was answered. The call's result (charged:
 * never to be lost) is `result`; the hook's error is `cause` (`errors` when several failed).
 * After a failed call, the call's own error is thrown instead, with the hook's error attached as
 * `receiptHookError` and named in its message.
 */
export class ReceiptHookError extends ProxygateError {
  /** Every hook error, in the order the hooks ran. */
  readonly errors: readonly unknown[];
  /** The paid call's result (non-enumerable and never serialised: it holds the body). */
  declare readonly result: unknown;

  constructor(errors: readonly unknown[], result: unknown, requestId?: string) {
    super(joinSentences(`The onReceipt hook failed after a paid call: ${describeHookError(errors[0])}`, "the call's result is on this error", '; '), {
      code: 'receipt_hook_failed',
      action: 'Keep error.result (and its rawReceipt); fix the hook (a full disk, an unwritable file)',
      requestId,
      cause: errors[0],
    });
    this.errors = errors;
    Object.defineProperty(this, 'result', { value: result, enumerable: false });
  }
}

/** The first hook error in a message: its class name and message. */
export function describeHookError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
