// The audit trail shared by the paid-call commands (`call`, `mcp call`, `mcp serve`): key pins,
// the kept receipts log, and what a command says about them.
import type { PaidReceiptVerdict } from '@proxygate-kit/sdk';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { KeptReceipt, ReceiptTrail } from './receipt-trail.js';

export { ReceiptTrail, keySetOf, type KeptReceipt } from './receipt-trail.js';
export { syncPin } from './pin-sync.js';
export { readPin } from './pins.js';
export { fetchKeyMaterial } from './key-material.js';
export { receiptLogDir, receiptLogFiles, trailNow } from './paths.js';
export { isBlock, keepCallApiReceipt, readCallApiAnswer, toolText, type CallApiAnswer, type SentCall } from './call-api-receipt.js';

interface ErrorReceipt {
  rawReceipt?: unknown;
  receipt?: unknown;
  receiptVerdict?: unknown;
  cost?: unknown;
  requestId?: unknown;
  status?: unknown;
  idempotencyKey?: unknown;
}

/**
 * A receipt on an error the trail has not kept yet (the SDK hands every receipt to the trail
 * before throwing; this is the safety net): kept now with the error's verdict.
 */
export async function keepReceipt(trail: ReceiptTrail, error: unknown, call: { gateway: string; listing: string; method: string; path: string }): Promise<KeptReceipt | undefined> {
  const e = (error ?? {}) as ErrorReceipt;
  if (typeof e.rawReceipt !== 'string') return undefined;
  const already = trail.kept(e.rawReceipt);
  if (already) return already;
  const { noKeysVerdict, receiptTextOf } = await import('@proxygate-kit/sdk');
  const verdict = (e.receiptVerdict as PaidReceiptVerdict | null | undefined) ?? noKeysVerdict('not verified');
  const receipt = (e.receipt ?? null) as { request_id?: unknown } | null;
  return trail
    .record(
      {
        rawReceipt: e.rawReceipt,
        receiptText: receiptTextOf(e.rawReceipt),
        verdict,
        call: {
          gateway: call.gateway,
          listingId: call.listing,
          service: '',
          method: call.method,
          path: call.path,
          requestId: typeof e.requestId === 'string' ? e.requestId : typeof receipt?.request_id === 'string' ? receipt.request_id : null,
          idempotencyKey: typeof e.idempotencyKey === 'string' ? e.idempotencyKey : null,
          status: typeof e.status === 'number' ? e.status : null,
          cost: typeof e.cost === 'bigint' ? e.cost : typeof e.cost === 'number' && Number.isSafeInteger(e.cost) ? BigInt(e.cost) : null,
          outcome: 'failed',
        },
      },
      async () => verdict,
    )
    .catch(() => undefined);
}

/** The files a receipt went to, for "saved to ..." (undefined when it was not kept). */
export function keptWhere(kept: KeptReceipt | undefined): string | undefined {
  return kept && kept.files.length > 0 ? kept.files.join(' and ') : undefined;
}

/** The loud failure of a command whose receipt was signed by a key the pin does not know. */
export function receiptKeyFailure(trail: ReceiptTrail): CliError | undefined {
  const change = trail.keyChanges[0];
  if (!change) return undefined;
  return new CliError(
    'receipt_key_unknown',
    `UNKNOWN RECEIPT KEY: the receipt${change.requestId ? ` of request ${change.requestId}` : ''} is ${change.message}`,
    ExitCode.failure,
    'the receipt is kept; check the key change with the gateway operator, then run "proxygate receipts keys trust" (it shows what changes)',
  );
}
