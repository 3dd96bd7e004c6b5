// Whether a validly signed v3 receipt describes the call that was made: shared by REST paid calls
// (settle.ts) and the MCP `call_api` check (mcp/receipt-check.ts).
import type { ReceiptV3 } from '../../receipts/types.js';

/** What a paid call's v3 receipt must name; a field left undefined is not checked. */
export interface CallBinding {
  listingId?: string | undefined;
  service?: string | undefined;
  method: string;
  path: string;
  buyer?: string | undefined;
  /** A scan silently skipped (or weakened) is not the call that was asked for. */
  shieldMode?: string | undefined;
}

/** The first field of a v3 receipt that names another call than `call`, with what it says and what the call wanted. */
export function callBindingMismatch(receipt: ReceiptV3, call: CallBinding): { field: string; got: unknown; want: string } | undefined {
  const fields: [string, unknown, string | undefined][] = [
    ['listing_id', receipt.listing_id, call.listingId],
    ['service', receipt.service, call.service],
    ['method', receipt.method, call.method],
    ['path', receipt.path, call.path],
    ['buyer', receipt.buyer, call.buyer],
    ['shield.mode', receipt.shield?.mode, call.shieldMode],
  ];
  for (const [field, got, want] of fields) if (want !== undefined && got !== want) return { field, got, want };
  return undefined;
}
