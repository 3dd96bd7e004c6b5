// The verdict a paid call reaches on its receipt: a verification verdict, or `no_keys` when the
// client could not verify it. Discriminated on `valid` and `reason` like the receipts' `Verdict`.
import type { Receipt, Verdict } from '../../receipts/types.js';

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

export const NO_KEYS_MESSAGE = 'not verified: no receipt keys are configured (pass `keys`; keep the receipt and verify it offline)';

/** The `no_keys` verdict, with the receipt when it parsed. */
export function noKeysVerdict(message: string, receipt?: Receipt): NoKeysVerdict {
  return receipt === undefined ? { valid: false, reason: 'no_keys', message } : { valid: false, reason: 'no_keys', message, receipt };
}

/** True when the verdict found nothing wrong but proves nothing either (no keys). */
export function isUnverified(verdict: PaidReceiptVerdict | null): boolean {
  return verdict === null || verdict.reason === 'no_keys';
}
