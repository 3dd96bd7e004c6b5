import type { Receipt } from './types.js';

const INTEGER_TEXT = /^(0|[1-9]\d*)$/;

/**
 * A receipt's amount as integer micro-USD: v3's integer string of any size, or v1/v2's safe
 * integer (or older integer string); null for anything else (`validateReceipt` refuses those).
 */
export function receiptAmount(receipt: Pick<Receipt, 'amount'>): bigint | null {
  const amount: unknown = receipt.amount;
  if (typeof amount === 'number') return Number.isSafeInteger(amount) && amount >= 0 ? BigInt(amount) : null;
  return typeof amount === 'string' && INTEGER_TEXT.test(amount) ? BigInt(amount) : null;
}
