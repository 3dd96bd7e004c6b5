// The receipt hook of paid calls (`onReceipt`, client and per call). A hook hears of every receipt
// a paid call receives (answered, blocked, or failed after the charge) before the call settles, so
// an application keeps an audit trail with one option; a hook that fails is reported, never
// ignored. No Node built-ins here (main entry).
import { redactText } from '../../internal/redact.js';
import { joinSentences } from '../../internal/text.js';
import type { KeySet, KeySetDocument } from '../../receipts/key-set.js';
import type { Receipt } from '../../receipts/types.js';
import { describeHookError, ReceiptHookError } from './errors.js';
import { noKeysVerdict, type PaidReceiptVerdict } from './receipt-verdict.js';
import type { Settlement } from './settle.js';
import { receiptTextOf } from './trail-line.js';

/** What was called, as the client saw it (the trail line's `call`). */
export interface ReceiptCallDetails {
  /** The client's gateway URL. */
  gateway: string;
  listingId: string;
  service: string;
  method: string;
  /** The upstream path as sent (after `/proxy/{service}`, percent-encoded, no query). */
  path: string;
  /** The receipt's request id (null when it could not be parsed). */
  requestId: string | null;
  /** The `Idempotency-Key` the call carried, or null. */
  idempotencyKey: string | null;
  /** HTTP status of the answer that carried the receipt (null when the answer was lost). */
  status: number | null;
  /** The receipt's amount in micro-USD (see `CallResult.cost`), null when unknown. */
  cost: bigint | null;
  /** `answered` (a result), `blocked` (a strict shield block), `failed` (an error after the receipt arrived). */
  outcome: 'answered' | 'blocked' | 'failed';
}

/** One receipt a paid call received, with the verdict the client reached on it. */
export interface ReceiptEvent {
  /** The receipt exactly as received: the header value (base64 or JSON) or the stream event's text. */
  rawReceipt: string;
  /** The receipt's JSON text as the gateway signed it (base64 decoded), or null when it is not JSON. */
  receiptText: string | null;
  /** The parsed receipt, or null when it could not be parsed (the verdict says why). */
  receipt: Receipt | null;
  /** Never null: `no_keys` (`valid: false`) when the client has no keys to verify with. */
  verdict: PaidReceiptVerdict;
  call: ReceiptCallDetails;
  /**
   * Verifies this receipt again against other keys, with the same checks the call made (content
   * binding, call binding, downgrade): for a key rotation found after the call. The event's
   * `verdict` is not changed.
   */
  reverify(keys: KeySet | KeySetDocument | string | Uint8Array): Promise<PaidReceiptVerdict>;
}

/** Awaited before the paid call settles; a rejection is reported (see `ReceiptHookError`). */
export type ReceiptHook = (event: ReceiptEvent) => void | Promise<void>;

type Reverify = ReceiptEvent['reverify'];

/**
 * @internal The receipts one paid call received, each handed to the hooks once before the call
 * settles. A receipt received again (an answer fetched again by key) replaces the earlier
 * verdict instead of being heard twice, so a trail holds each receipt once.
 */
export class ReceiptRecorder {
  readonly #hooks: readonly ReceiptHook[];
  readonly #call: Pick<ReceiptCallDetails, 'gateway' | 'listingId' | 'service' | 'method' | 'path'>;
  readonly #events = new Map<string, ReceiptEvent>();
  #flushed = new Set<string>();

  constructor(hooks: readonly ReceiptHook[], call: Pick<ReceiptCallDetails, 'gateway' | 'listingId' | 'service' | 'method' | 'path'>) {
    this.#hooks = hooks;
    this.#call = call;
  }

  add(settlement: Settlement, at: Pick<ReceiptCallDetails, 'status' | 'idempotencyKey' | 'outcome'>, reverify: Reverify): void {
    const raw = settlement.rawReceipt;
    if (raw === null) return;
    const verdict = settlement.receiptVerdict ?? noKeysVerdict('the receipt was not verified');
    this.#flushed.delete(raw);
    this.#events.set(raw, {
      rawReceipt: raw,
      receiptText: receiptTextOf(raw),
      receipt: settlement.receipt,
      verdict,
      call: { ...this.#call, requestId: settlement.requestId, cost: settlement.cost, ...at },
      reverify,
    });
  }

  /** Runs every hook on every receipt not yet heard; resolves to the hooks' errors (empty when all passed). */
  async flush(): Promise<unknown[]> {
    const errors: unknown[] = [];
    for (const [raw, event] of this.#events) {
      if (this.#flushed.has(raw)) continue;
      this.#flushed.add(raw);
      for (const hook of this.#hooks) {
        try {
          await hook(event);
        } catch (error) {
          errors.push(error);
        }
      }
    }
    return errors;
  }

  /** After an answered call: a hook failure becomes a `ReceiptHookError` carrying the result. */
  async answered<R extends { requestId: string | null }>(result: R): Promise<R> {
    const errors = await this.flush();
    if (errors.length > 0) throw new ReceiptHookError(errors, result, result.requestId ?? undefined);
    return result;
  }

  /** After a failed call: the call's error stays what is thrown, the hook's failure attached to it. */
  async failed(error: unknown): Promise<unknown> {
    const errors = await this.flush();
    if (errors.length > 0 && error instanceof Error) {
      Object.defineProperty(error, 'receiptHookError', { value: new ReceiptHookError(errors, undefined), enumerable: false, configurable: true });
      error.message = redactText(joinSentences(error.message, `and the onReceipt hook failed: ${describeHookError(errors[0])})`, ' ('));
    }
    return error;
  }
}
