// The receipt trail line (JSON Lines) an `onReceipt` hook writes: the receipt's own text with the
// verdict and call the client saw. The Node file sink (`receipts/node`) and the CLI write these.
import { fromBase64AnyPadding } from '../../receipts/encoding.js';
import type { ReceiptEvent } from './receipt-hook.js';

const JSON_OBJECT = /^\s*\{/;

/**
 * The receipt's JSON text as the gateway sent it: a plain-JSON value as is, a base64 one decoded
 * (strict UTF-8). Null when the result is not a JSON object (a malformed receipt is then kept as
 * the raw value).
 */
export function receiptTextOf(raw: string): string | null {
  let text: string | undefined = raw;
  if (!JSON_OBJECT.test(raw)) {
    const bytes = fromBase64AnyPadding(raw.trim());
    if (!bytes) return null;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return null;
    }
  }
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? text : null;
  } catch {
    return null;
  }
}

/** What a trail line needs of an event (the CLI builds these for MCP calls too). */
export type TrailEntry = Pick<ReceiptEvent, 'rawReceipt' | 'receiptText' | 'verdict' | 'call'>;

/**
 * One line of the receipt trail (JSON Lines, no newline): `{ proxygate_receipt: 1, receipt:
 * <the receipt's JSON text, byte for byte>, verdict, call, recorded_at }`. The verdict and call
 * are what the client saw; `receipts verify` / `audit` judge `receipt` again and trust neither.
 * The cost is a JSON number up to 2^53, a decimal string beyond.
 */
export function receiptTrailLine(entry: TrailEntry, recordedAt: Date = new Date()): string {
  const { verdict, call } = entry;
  const cost = call.cost === null ? null : call.cost <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(call.cost) : call.cost.toString();
  return JSON.stringify({
    proxygate_receipt: 1,
    receipt: entry.receiptText ?? entry.rawReceipt,
    verdict: {
      valid: verdict.valid,
      reason: verdict.reason,
      ...(verdict.field === undefined ? {} : { field: verdict.field }),
      message: verdict.message,
    },
    call: {
      gateway: call.gateway,
      listing_id: call.listingId,
      service: call.service,
      method: call.method,
      path: call.path,
      request_id: call.requestId,
      idempotency_key: call.idempotencyKey,
      status: call.status,
      cost_micro_usd: cost,
    },
    recorded_at: recordedAt.toISOString(),
  });
}
