import { formatScore, type ShieldMode, type ShieldVerdict } from '../scanner/index.js';
import type { CallResult } from './gateway-types.js';
import type { ProfileSwitches } from './profile.js';
import { encodeReceiptHeader } from './receipts.js';
import type { ReceiptHeaderName } from './runtime-settings.js';
import type { RemainingCap } from './spend-limits.js';
import type { Receipt } from './types.js';
import type { UpstreamResponse } from './upstream.js';

const SHIELD_HEADER_MODE: Record<ShieldMode, string> = { off: 'off', monitor: 'monitored', strict: 'strict' };

/** Shield headers, only when the response was scanned (mode not `off`); the mode in the public spelling. */
export function shieldHeaders(verdict: ShieldVerdict, switches: ProfileSwitches): Record<string, string> {
  if (verdict.mode === 'off') return {};
  return {
    'x-proxygate-shield': SHIELD_HEADER_MODE[verdict.mode],
    'x-proxygate-shield-score': formatScore(verdict.score_bp),
    'x-proxygate-shield-flags': verdict.flags.length > 0 ? verdict.flags.join(',') : 'none',
    ...(switches.shieldActionHeader ? { 'x-proxygate-shield-action': verdict.action } : {}),
  };
}

/** The 422 body of a strict-shield block (`request_id` is an extension). */
export function blockedBody(verdict: ShieldVerdict, charged: boolean, requestId: string | null, traceId: string): string {
  return JSON.stringify({
    error: 'response_blocked',
    code: 'shield_blocked',
    shield_score: verdict.score_bp / 10000,
    shield_flags: verdict.flags,
    refunded: charged,
    message: 'The shield blocked the upstream response; the call was refunded.',
    ...(requestId === null ? {} : { request_id: requestId }),
    trace_id: traceId,
  });
}

export interface CallAnswer {
  upstream: UpstreamResponse;
  blocked: boolean;
  /** The body sent: the upstream's, or the 422 block. */
  body: string;
  verdict: ShieldVerdict;
  receipt: Receipt;
  amount: number;
  requestId: string;
  listingId: string;
  /** The tightest spend cap left on the token's chain, after this call. */
  capAfter: RemainingCap | null;
}

/**
 * The answer as the buyer sees it: status, headers (content type, shield verdict, spend limit,
 * receipt) and, for a stream, its events. The extended profile sends a stream's receipt and
 * verdict in a final `proxygate.receipt` event; the public one knows them up front (the synthetic
 * upstream answered already) and sends headers.
 */
export function callResult(answer: CallAnswer, switches: ProfileSwitches, receiptHeaderName: ReceiptHeaderName): CallResult {
  const { upstream, blocked, verdict, receipt } = answer;
  const streaming = upstream.events !== undefined && !blocked;
  const finalEvent = streaming && switches.sseReceiptEvent;
  const headers: Record<string, string> = {
    'content-type': blocked ? 'application/json' : upstream.contentType,
    ...(finalEvent ? {} : shieldHeaders(verdict, switches)),
  };
  if (answer.capAfter) {
    headers['x-spendlimit-remaining'] = String(answer.capAfter.remaining);
    headers['x-spendlimit-limit'] = String(answer.capAfter.limit);
  }
  const receiptHeader = encodeReceiptHeader(receipt);
  if (streaming) headers['cache-control'] = 'no-cache';
  if (!finalEvent) {
    if (receiptHeaderName === 'x-receipt') headers['x-receipt'] = JSON.stringify(receipt);
    else headers['x-proxygate-receipt'] = receiptHeader;
  }
  const status = blocked ? 422 : upstream.status;
  const result: CallResult = { status, headers, body: answer.body, receipt, receiptHeader, shield: verdict, amount: answer.amount, requestId: answer.requestId, listingId: answer.listingId, replayed: false };
  if (streaming) result.events = upstream.events ?? [upstream.body];
  if (finalEvent) {
    const shield = { mode: verdict.mode, score: verdict.score_bp / 10000, flags: verdict.flags, action: verdict.action };
    result.sseReceiptEvent = `event: proxygate.receipt\ndata: ${JSON.stringify({ receipt: receiptHeader, shield })}\n\n`;
  }
  return result;
}

/** What a client reads, in order: a stream's events (then, extended, the receipt event); else the body once. */
export function resultChunks(result: CallResult): AsyncIterable<string> {
  const parts = result.events ? [...result.events, ...(result.sseReceiptEvent ? [result.sseReceiptEvent] : [])] : [result.body];
  async function* chunks(): AsyncGenerator<string> {
    for (const part of parts) yield part;
  }
  return chunks();
}
