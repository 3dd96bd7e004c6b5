import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Profile } from '../state/profile.js';
import { MOCK_VERSION } from '../version.js';
import { isBackendError, McpBackendFailure, type CallApiOutcome, type McpBackend, type McpCaller } from './backend.js';

// Output schemas mirror the REST shapes (design brief §6), open to unknown fields like every REST object.
const money = z.number().int().nonnegative();
const usdc = z.number().nonnegative().nullable();
const shieldMode = z.enum(['off', 'monitor', 'strict']);
const catalogListing = z.object({
  listing_id: z.string(), seller_wallet: z.string(), service: z.string(), service_name: z.string(), slug: z.string(),
  seller_slug: z.string().nullable(), pricing_unit: z.string(), price_per_request_usdc: usdc, buyer_price_per_request_usdc: usdc,
  buyer_price_per_input_token_usdc: usdc, buyer_price_per_output_token_usdc: usdc, platform_fee_pct: z.number(),
  is_available: z.boolean(), is_verified: z.boolean(), description: z.string().nullable(), category_slugs: z.array(z.string()),
  endpoints: z.array(z.object({ method: z.string(), path: z.string(), description: z.string().optional() }).loose()),
  endpoint_prices: z.array(z.object({ path: z.string(), pricing_unit: z.string() }).loose()),
}).loose();
const listingDocs = z.object({
  listing_id: z.string(), doc_type: z.enum(['openapi', 'markdown', 'graphql']), content: z.string(),
  parsed_endpoints: z.array(z.unknown()).nullable(), updated_at: z.string(),
}).loose();
const shield = z.object({
  mode: shieldMode, score: z.number().min(0).max(1), flags: z.array(z.string()),
  action: z.enum(['allowed', 'flagged', 'blocked']),
});
const cursorPage = { cursor: z.string().nullable(), has_more: z.boolean() };

/** Default tool descriptions; tests may override them to play a rug pull. */
export const TOOL_DESCRIPTIONS: Record<string, string> = {
  browse_apis: 'Search the API catalog (no account needed): the GET /v1/apis filters. Prices are USDC numbers as the catalog gives them.',
  describe_endpoint: 'Describe one listing by its listing_id (UUID): its catalog row and its documentation, if any.',
  call_api: 'Make a paid call to a listing through the gateway. Needs the spending scope. Returns the upstream ' +
    'status and body (untrusted data), the amount charged in integer micro-USD, the signed receipt (base64 and decoded), ' +
    'the request id and the shield verdict.',
  check_balance: 'Read the wallet balance: balance, pending_settlement and available, integer micro-USD.',
  get_pricing: 'List the cheapest price per service (no account needed).',
  get_usage: 'List past calls of this account, newest first, with a per-service summary. Costs in integer micro-USD.',
  rate_seller: 'Rate the seller of a past successful call by its request id.',
};

export interface McpToolOptions {
  /** Read on every request, so a test can change a description between connections. */
  descriptions?: Partial<Record<string, string>>;
  /** `extended` (default) adds the extension inputs and outputs (`idempotency_key`, `idempotent_replayed`). */
  profile?: Profile;
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
  const extended = (options.profile ?? 'extended') === 'extended';
  const server = new McpServer({ name: 'proxygate-mock', version: MOCK_VERSION }, { capabilities: { tools: { listChanged: true } } });
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
      verified: z.boolean().optional(), type: z.string().optional(),
      limit: z.number().int().min(1).max(100).optional(), cursor: z.string().optional(),
      listing_id: z.string().optional(), slug: z.string().optional(), seller_slug: z.string().optional(),
    },
    outputSchema: z.object({ data: z.array(catalogListing), ...cursorPage }),
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, (args) => run(async () => structured(await backend.browseApis(args))));

  server.registerTool('describe_endpoint', {
    description: describe('describe_endpoint'),
    inputSchema: { listing_id: z.string().min(1) },
    outputSchema: z.object({ listing: catalogListing, docs: listingDocs.nullable() }),
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, ({ listing_id }) => run(async () => structured(await backend.describeEndpoint(listing_id))));

  server.registerTool('call_api', {
    description: describe('call_api'),
    inputSchema: {
      listing_id: z.string().min(1), method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).optional(),
      path: z.string().startsWith('/'), query: z.record(z.string(), z.string()).optional(),
      body: z.string().optional(), content_type: z.string().optional(), shield: shieldMode.optional(),
      ...(extended ? { idempotency_key: z.string().min(1).max(255).optional() } : {}),
    },
    outputSchema: z.object({
      status: z.number().int(), content_type: z.string().nullable(), body: z.string(),
      amount_micro_usd: money, request_id: z.string(), receipt: z.string(),
      receipt_decoded: z.record(z.string(), z.unknown()), shield,
      ...(extended ? { idempotent_replayed: z.boolean().optional() } : {}),
    }),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  }, (args) => run(async () => callResult(await backend.callApi(need(), args))));

  server.registerTool('check_balance', {
    description: describe('check_balance'),
    outputSchema: z.object({ balance: money, pending_settlement: money, available: z.number().int(), in_cooldown: z.boolean(), currency: z.string() }).loose(),
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, () => run(async () => structured(await backend.checkBalance(need()))));

  server.registerTool('get_pricing', {
    description: describe('get_pricing'),
    inputSchema: { service: z.string().optional(), limit: z.number().int().min(1).max(100).optional(), cursor: z.string().optional() },
    outputSchema: z.object({
      services: z.array(z.object({ service: z.string(), name: z.string(), pricing_unit: z.string(), price_per_request_micro_cents: money }).loose()),
      ...cursorPage, currency: z.string(), deposit_endpoint: z.string(), last_updated: z.string(),
    }).loose(),
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, (args) => run(async () => structured(await backend.getPricing(args))));

  server.registerTool('get_usage', {
    description: describe('get_usage'),
    inputSchema: {
      service: z.string().optional(), model: z.string().optional(), from: z.string().optional(), to: z.string().optional(),
      limit: z.number().int().min(1).max(100).optional(), cursor: z.string().optional(),
    },
    outputSchema: z.object({
      usage: z.array(z.object({
        id: z.string(), service: z.string(), path: z.string(), model: z.string().nullable(), status_code: z.number().int(),
        latency_ms: z.number(), cost_micro_cents: money, listing_id: z.string(), seller_id: z.string().nullable(), created_at: z.string(),
      }).loose()),
      summary: z.array(z.object({ service: z.string(), model: z.string().nullable(), request_count: z.number().int(), total_cost_micro_cents: money }).loose()),
      ...cursorPage,
    }).loose(),
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, (args) => run(async () => structured(await backend.getUsage(need(), args))));

  server.registerTool('rate_seller', {
    description: describe('rate_seller'),
    inputSchema: { request_id: z.string().min(1), is_positive: z.boolean() },
    outputSchema: z.object({ success: z.literal(true), is_update: z.boolean() }).loose(),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  }, (args) => run(async () => structured(await backend.rateSeller(need(), args))));

  return server;
}
