import { CliError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { ALLOW_LEGACY_RECEIPTS_ACTION, receiptRefusal } from './legacy-receipts.js';

// A receipt signed by a key the keys at hand do not hold ("unknown_key") is most often a key
// rotation the saved keys have not caught up with: say how to take the new keys in, not only that
// verification failed. (A key the profile's pin does not know, during a paid call, has its own
// louder failure: trail/index.ts receiptKeyFailure.)

export const REEXPORT_KEYS_ACTION =
  'if the gateway rotated its receipt keys, check the change with its operator, then export them again ("proxygate receipts keys export > keys.json") for --keys / PROXYGATE_RECEIPT_KEYS, or re-pin them for the profile ("proxygate receipts keys trust" shows what changes)';

// Keys given only as v1/v2 pins (--pin platform=… / receipt-ca=…, or a file of platform_pubkey /
// receipt_ca_pubkey alone) hold no key by kid, so no v3 receipt can verify: no rotation happened.
export const V3_NEEDS_KEY_SET_ACTION =
  'these keys are v1/v2 pins only (platform_pubkey, receipt_ca_pubkey), and a v3 receipt (one with a kid) is checked against the gateway\'s key set, its keys by kid: save it with "proxygate receipts keys export > keys.json" and pass --keys keys.json (or PROXYGATE_RECEIPT_KEYS)';

/** What the hint looks at beyond the counts: the keys used, and the failures listed (their field). */
export interface UnknownKeyContext {
  keys: { readonly kids: readonly string[] };
  failures: ReadonlyArray<{ reason: string; field?: string | undefined }>;
}

/** The action for a verify or audit run whose failures include `unknown_key`, else undefined. */
export function unknownKeyAction(byReason: Readonly<Record<string, number | undefined>>, context?: UnknownKeyContext): string | undefined {
  const n = byReason['unknown_key'] ?? 0;
  if (n === 0) return undefined;
  // A v3 receipt's unknown key is named by its `kid` field (v1/v2 ones by no field or the CA's).
  const v3WithoutKeySet = context !== undefined && context.keys.kids.length === 0 && context.failures.some((f) => f.reason === 'unknown_key' && f.field === 'kid');
  return `${n} receipt(s) name a key the key set does not hold: ${v3WithoutKeySet ? V3_NEEDS_KEY_SET_ACTION : REEXPORT_KEYS_ACTION}`;
}

/** A paid call's receipt that did not verify (the answer was delivered): exit 1, with the right next step. */
export function receiptInvalidFailure(verdict: Parameters<typeof receiptRefusal>[0]): CliError {
  const action =
    verdict.reason === 'unknown_key'
      ? `the receipt is kept; ${REEXPORT_KEYS_ACTION}`
      : verdict.reason === 'downgrade'
        ? ALLOW_LEGACY_RECEIPTS_ACTION
        : 'keep the response and the receipt; report the request id to the gateway';
  return new CliError('receipt_invalid', receiptRefusal(verdict), ExitCode.failure, action);
}
