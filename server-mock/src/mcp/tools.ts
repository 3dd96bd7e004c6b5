import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { isBackendError, McpBackendFailure, type CallApiOutcome, type McpBackend, type McpCaller } from './backend.js';

const money = z.number().int().nonnegative();
const shieldMode = z.enum(['off', 'monitor', 'strict']);
const listing = z.object({
  id: z.string(), slug: z.string(), name: z.string(), description: z.string(), service: z.string(),
  category: z.string(), type: z.string(), seller_id: z.string(), price_micro_cents: money,
  shield_fee_micro_cents: money, verified: z.boolean(),
  endpoints: z.array(z.object({ method: z.string(), path: z.string(), description: z.string().optional() }).loose()),
}).loose();
const page = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), cursor: z.string().nullable(), has_more: z.boolean() });
const shield = z.object({
  mode: shieldMode, score: z.number().min(0).max(1), flags: z.array(z.string()),
  action: z.enum(['allowed', 'flagged', 'blocked']),
});

/** Default tool descriptions; tests may override them to play a rug pull. */
export const TOOL_DESCRIPTIONS: Record<string, string> = {
  browse_apis: 'Search the API catalog (no account needed). Returns listings with prices in integer micro-cents.',
  describe_endpoint: 'Describe one listing (id or slug): its endpoints and documentation in Markdown.',
  call_api: 'Make a paid call to a listing through the gateway. Needs the "trade" scope. Returns the upstream ' +
    'status and body (untrusted data), the amount charged, the signed receipt (base64 and decoded), the request id ' +
    'and the shield verdict.',
  check_balance: 'Read the account balance in integer micro-cents. Needs "account:read".',
  get_pricing: 'List prices per listing in integer micro-cents (no account needed).',
  get_usage: 'List past calls of this account, newest first. Needs "account:read".',
  rate_seller: 'Rate the seller of a past call by its request id. Needs "trade".',
};

export interface McpToolOptions {
  /** Read on every request, so a test can change a description between connections. */
  descriptions?: Partial<Record<string, string>>;
}

function structured(value: unknown): CallToolResult {
  const content = value as Record<string, unknown>;
  return { structuredContent: content, content: [{ type: 'text', text: JSON.stringify(value) }] };
}

/** A gateway error becomes a tool error whose text is the REST error body (plus its status). */
function toolError(status: number, body: Record<string, unknown>): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: JSON.stringify({ ...body, status }) }] };
}

async function run(work: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await work();
  } catch (error) {
    if (isBackendError(error)) return toolError(error.status, error.body);
    throw error;
  }
}

function decodeReceipt(base64: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(base64, 'base64').toString('utf8')) as Record<string, unknown>;
}

function callResult(outcome: CallApiOutcome): CallToolResult {
  const receipt_decoded = decodeReceipt(outcome.receipt);
  if (outcome.blocked) {
    return toolError(outcome.status, {
      ...outcome.blocked, receipt: outcome.receipt, receipt_decoded, shield: outcome.shield,
    });
  }
  const { blocked: _blocked, ...rest } = outcome;
  return structured({ ...rest, receipt_decoded });
}

/** Builds a fresh MCP server exposing the seven gateway tools to one caller (null = anonymous). */
export function createGatewayMcpServer<P>(
  backend: McpBackend<P>,
  caller: McpCaller<P> | null,
  options: McpToolOptions = {},
): McpServer {
  const server = new McpServer({ name: 'proxygate-mock', version: '0.1.0' }, { capabilities: { tools: { listChanged: true } } });
  const describe = (name: string): string => options.descriptions?.[name] ?? TOOL_DESCRIPTIONS[name] ?? name;
  // Scopes are enforced at the HTTP layer (401/403 challenges); this is the in-process backstop.
  const need = (): McpCaller<P> => {
    if (!caller) throw new McpBackendFailure(401, { error: 'unauthorized', message: 'A token is required.' });
    return caller;
  };

  server.registerTool('browse_apis', {
    description: describe('browse_apis'),
    inputSchema: {
      q: z.string().optional(), service: z.string().optional(), category: z.string().optional(),
      sort: z.enum(['price_asc', 'price_desc', 'popular', 'newest', 'fastest', 'best_rated']).optional(),
      verified: z.boolean().optional(), type: z.enum(['rest', 'sse']).optional(),
      limit: z.number().int().min(1).max(100).optional(), cursor: z.string().optional(),
    },
    outputSchema: page(listing),
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, (args) => run(async () => structured(await backend.browseApis(args))));

  server.registerTool('describe_endpoint', {
    description: describe('describe_endpoint'),
    inputSchema: { listing_id: z.string().min(1) },
    outputSchema: z.object({ listing, markdown: z.string() }),
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, ({ listing_id }) => run(async () => structured(await backend.describeEndpoint(listing_id))));

  server.registerTool('call_api', {
    description: describe('call_api'),
    inputSchema: {
      listing_id: z.string().min(1), method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).optional(),
      path: z.string().startsWith('/'), query: z.record(z.string(), z.string()).optional(),
      body: z.string().optional(), content_type: z.string().optional(), shield: shieldMode.optional(),
      idempotency_key: z.string().min(1).max(255).optional(),
    },
    outputSchema: z.object({
      status: z.number().int(), content_type: z.string().nullable(), body: z.string(),
      amount_micro_cents: money, request_id: z.string(), receipt: z.string(),
      receipt_decoded: z.record(z.string(), z.unknown()), shield, idempotent_replayed: z.boolean(),
    }),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  }, (args) => run(async () => callResult(await backend.callApi(need(), args))));

  server.registerTool('check_balance', {
    description: describe('check_balance'),
    outputSchema: z.object({ balance_micro_cents: money, currency: z.string() }),
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, () => run(async () => structured(await backend.checkBalance(need()))));

  server.registerTool('get_pricing', {
    description: describe('get_pricing'),
    inputSchema: { listing_id: z.string().min(1).optional() },
    outputSchema: z.object({
      data: z.array(z.object({
        listing_id: z.string(), slug: z.string(), service: z.string(), price_micro_cents: money,
        shield_fee_micro_cents: money, currency: z.string(),
      })),
    }),
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, ({ listing_id }) => run(async () => structured(await backend.getPricing(listing_id))));

  server.registerTool('get_usage', {
    description: describe('get_usage'),
    inputSchema: {
      service: z.string().optional(), from: z.string().optional(), to: z.string().optional(),
      limit: z.number().int().min(1).max(100).optional(), cursor: z.string().optional(),
    },
    outputSchema: page(z.object({
      id: z.string(), request_id: z.string(), service: z.string(), listing_id: z.string(), method: z.string(),
      path: z.string(), status_code: z.number().int(), latency_ms: z.number().int(), cost_micro_cents: money,
      refunded: z.boolean(), created_at: z.string(),
    }).loose()),
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, (args) => run(async () => structured(await backend.getUsage(need(), args))));

  server.registerTool('rate_seller', {
    description: describe('rate_seller'),
    inputSchema: { request_id: z.string().min(1), is_positive: z.boolean() },
    outputSchema: z.object({ request_id: z.string(), listing_id: z.string(), is_positive: z.boolean() }),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  }, (args) => run(async () => structured(await backend.rateSeller(need(), args))));

  return server;
}
