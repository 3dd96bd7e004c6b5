// The receipt of an MCP `call_api` result, for both commands that make one (`mcp call`, and
// `mcp serve` per host call): read from the result (or its error: a block carries one too),
// verified with the SDK's MCP checks (signature, content hashes, the call it names, buyer,
// downgrade) and kept in the trail.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { PaidReceiptVerdict } from '@proxygate-kit/sdk';
import type { CalledTool, CallApiToolOutput, ReceiptClaims, ReceiptExpectations } from '@proxygate-kit/sdk/mcp';
import type { KeySet } from '@proxygate-kit/sdk/receipts';
import type { KeptReceipt, ReceiptTrail } from './receipt-trail.js';

type Sdk = Pick<typeof import('@proxygate-kit/sdk'), 'receiptAmount' | 'receiptTextOf'>;
type McpSdk = Pick<typeof import('@proxygate-kit/sdk/mcp'), 'TOOL_SCHEMAS' | 'verifyCallReceipt'>;

/** The `call_api` arguments as sent (with the idempotency key, which the trail keeps). */
export type SentCall = CalledTool & { idempotency_key?: string | undefined };

/** What a `call_api` result says. */
export interface CallApiAnswer {
  /** The result's JSON object: its structured content, or the body of its error. */
  record: Record<string, unknown>;
  /** The result as the tool's output schema reads it (undefined for an error or a result that does not fit). */
  output: CallApiToolOutput | undefined;
  /** The receipt and what the result claims beside it; undefined when no receipt came. */
  claims: ReceiptClaims | undefined;
  status: number | null;
  outcome: 'answered' | 'blocked' | 'failed';
}

/** The text parts of a tool result, joined. */
export function toolText(result: CallToolResult): string {
  return result.content
    .filter((c): c is { type: 'text'; text: string } => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
}

export function readCallApiAnswer(mcpSdk: McpSdk, raw: CallToolResult): CallApiAnswer {
  const text = toolText(raw);
  const structured = raw.isError ? parseJson(text) : (raw.structuredContent ?? parseJson(text));
  const parsed = raw.isError ? undefined : mcpSdk.TOOL_SCHEMAS.call_api.output.safeParse(structured);
  const output = parsed?.success ? parsed.data : undefined;
  const record = (typeof structured === 'object' && structured !== null && !Array.isArray(structured) ? structured : {}) as Record<string, unknown>;
  const receipt = record['receipt'];
  const claims: ReceiptClaims | undefined =
    typeof receipt === 'string'
      ? {
          receipt,
          request_id: typeof record['request_id'] === 'string' ? record['request_id'] : undefined,
          // Only a result that fits the schema claims a charge and a delivered body.
          ...(output ? { amount_micro_usd: output.amount_micro_usd, body: output.body } : {}),
        }
      : undefined;
  return {
    record,
    output,
    claims,
    status: typeof record['status'] === 'number' ? record['status'] : null,
    outcome: output ? 'answered' : raw.isError && isBlock(record) ? 'blocked' : 'failed',
  };
}

/** A shield block in a tool error's body. */
export function isBlock(body: Record<string, unknown>): boolean {
  return body['error'] === 'response_blocked' || body['code'] === 'shield_blocked';
}

export interface CallApiReceipt {
  gatewayUrl: string;
  answer: CallApiAnswer & { claims: ReceiptClaims };
  sent: SentCall;
  /** Read at each verification: who the buyer must be, and the weakest version accepted. */
  expected: () => ReceiptExpectations;
}

/** Verifies the receipt and keeps it; `cost` is the receipt's amount (integer micro-USD), null when unreadable. */
export async function keepCallApiReceipt(
  trail: ReceiptTrail,
  sdk: Sdk,
  mcpSdk: McpSdk,
  { gatewayUrl, answer, sent, expected }: CallApiReceipt,
): Promise<KeptReceipt & { cost: bigint | null }> {
  const check = async (keys: KeySet | undefined) => (await mcpSdk.verifyCallReceipt(answer.claims, sent, keys, expected())) as PaidReceiptVerdict;
  const first = await check(trail.keys);
  const receipt = first.receipt ?? null;
  const cost = receipt ? sdk.receiptAmount(receipt) : null;
  const kept = await trail.record(
    {
      rawReceipt: answer.claims.receipt,
      receiptText: sdk.receiptTextOf(answer.claims.receipt),
      receipt,
      verdict: first,
      call: {
        gateway: gatewayUrl,
        listingId: sent.listing_id,
        service: receipt?.receipt_version === 3 ? receipt.service : '',
        method: (sent.method ?? 'GET').toUpperCase(),
        path: sent.path.split('?')[0] ?? sent.path,
        requestId: receipt?.request_id ?? (answer.claims.request_id || null),
        idempotencyKey: sent.idempotency_key ?? null,
        status: answer.status,
        cost,
        outcome: answer.outcome,
      },
    },
    check,
  );
  return { ...kept, cost };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
