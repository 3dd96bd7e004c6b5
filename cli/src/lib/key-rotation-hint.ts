import { CliError } from './errors.js';
import { ExitCode } from './exit-codes.js';

// A receipt signed by a key the keys at hand do not hold ("unknown_key") is most often a key
// rotation the saved keys have not caught up with: say how to take the new keys in, not only that
// verification failed. (A key the profile's pin does not know, during a paid call, has its own
// louder failure: trail/index.ts receiptKeyFailure.)

export const REEXPORT_KEYS_ACTION =
  'if the gateway rotated its receipt keys, check the change with its operator, then export them again ("proxygate receipts keys export > keys.json") for --keys / PROXYGATE_RECEIPT_KEYS, or re-pin them for the profile ("proxygate receipts keys trust" shows what changes)';

/** The action for a verify or audit run whose failures include `unknown_key`, else undefined. */
export function unknownKeyAction(byReason: Readonly<Record<string, number | undefined>>): string | undefined {
  const n = byReason['unknown_key'] ?? 0;
  return n > 0 ? `${n} receipt(s) name a key the key set does not hold: ${REEXPORT_KEYS_ACTION}` : undefined;
}

/** A paid call's receipt that did not verify (the answer was delivered): exit 1, with the right next step. */
export function receiptInvalidFailure(verdict: { reason: string }): CliError {
  const action = verdict.reason === 'unknown_key' ? `the receipt is kept; ${REEXPORT_KEYS_ACTION}` : 'keep the response and the receipt; report the request id to the gateway';
  return new CliError('receipt_invalid', `the receipt did not verify (${verdict.reason})`, ExitCode.failure, action);
}
