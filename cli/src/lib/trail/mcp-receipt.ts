import type { PaidReceiptVerdict } from '@proxygate-kit/sdk';
import type { KeySet, Receipt } from '@proxygate-kit/sdk/receipts';

/** What a `call_api` tool call sent (its arguments). */
export interface McpCallSent {
  listing_id: string;
  method?: string | undefined;
  path: string;
  query?: Record<string, string> | undefined;
  body?: string | undefined;
}

/** What the tool result (or its error) claims next to the receipt. */
export interface McpCallClaims {
  /** The receipt header's text (base64 JSON). */
  receipt: string;
  request_id?: string | undefined;
  amount_micro_usd?: number | undefined;
  /** The delivered body; absent when the shield withheld it (a block). */
  body?: string | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The verdict on a `call_api` receipt, as the SDK's MCP client reaches it: the signature against
 * the keys, the request and (when delivered) response hashes, and the tool result's unsigned
 * claims (request id, amount) and, for v3, the call it names. `no_keys` without keys.
 */
export async function verifyMcpCallReceipt(
  claims: McpCallClaims,
  sent: McpCallSent,
  keys: KeySet | undefined,
): Promise<{ verdict: PaidReceiptVerdict; receipt: Receipt | null }> {
  const { decodeReceiptHeader, ReceiptParseError, verifyReceipt } = await import('@proxygate-kit/sdk/receipts');
  let receipt: Receipt;
  try {
    receipt = decodeReceiptHeader(claims.receipt);
  } catch (error) {
    if (error instanceof ReceiptParseError) return { verdict: { valid: false, reason: error.reason, message: error.message, ...(error.field ? { field: error.field } : {}) }, receipt: null };
    throw error;
  }
  if (!keys) return { verdict: { valid: false, reason: 'no_keys', message: 'not verified: no receipt keys', receipt }, receipt };
  const method = (sent.method ?? 'GET').toUpperCase();
  const verdict = await verifyReceipt(receipt, {
    keys,
    content: {
      request: { method, path: sent.path, ...(sent.query ? { query: sent.query } : {}), body: sent.body ?? null },
      ...(claims.body === undefined ? {} : { response: claims.body }),
    },
  });
  if (!verdict.valid) return { verdict, receipt };
  const mismatch = (field: string, message: string) => ({ verdict: { valid: false, reason: 'content_mismatch', field, message, receipt } as PaidReceiptVerdict, receipt });
  if (claims.request_id !== undefined && receipt.request_id !== claims.request_id) return mismatch('request_id', "the tool result's request_id differs from the signed receipt's");
  if (claims.amount_micro_usd !== undefined && String(receipt.amount) !== String(claims.amount_micro_usd)) return mismatch('amount', "the tool result's amount differs from the signed receipt's");
  if (receipt.receipt_version === 3) {
    const expected: Array<[string, unknown, string | undefined]> = [
      ['listing_id', receipt.listing_id, UUID.test(sent.listing_id) ? sent.listing_id : undefined],
      ['method', receipt.method, method],
      ['path', receipt.path, sent.path],
    ];
    for (const [field, got, want] of expected) {
      if (want !== undefined && got !== want) return mismatch(field, `the receipt's ${field} ${JSON.stringify(got)} is not the call's ${JSON.stringify(want)}`);
    }
  }
  return { verdict, receipt };
}
