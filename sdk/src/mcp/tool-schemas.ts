// Typed contracts of the seven gateway tools. Inputs are checked strictly before anything is sent
// (a typo'd argument should fail here, not be dropped by the server); outputs are loose objects so
// fields a newer gateway adds are kept, while the fields we read are type-checked.
import * as z from 'zod';

const money = z.number().int().nonnegative().refine(Number.isSafeInteger, 'not a safe integer');
const shieldMode = z.enum(['off', 'monitor', 'strict']);

export const GATEWAY_TOOL_NAMES = [
  'browse_apis',
  'describe_endpoint',
  'call_api',
  'check_balance',
  'get_pricing',
  'get_usage',
  'rate_seller',
] as const;
export type GatewayToolName = (typeof GATEWAY_TOOL_NAMES)[number];

/** A catalog listing as `GET /v1/apis` gives it (USDC floats as sent; the fields read here are checked). */
export const ListingSchema = z.looseObject({
  listing_id: z.string(),
  service: z.string(),
  slug: z.string(),
  seller_slug: z.string().nullable(),
  pricing_unit: z.string(),
  buyer_price_per_request_usdc: z.number().nonnegative().nullable(),
  description: z.string().nullable(),
  endpoints: z.array(z.looseObject({ method: z.string(), path: z.string(), description: z.string().optional() })),
});

const cursorPage = { cursor: z.string().nullable(), has_more: z.boolean() };

/** The `GET /v1/apis` query, typed (booleans and numbers on MCP). */
export const BrowseApisInput = z.strictObject({
  q: z.string().optional(),
  service: z.string().optional(),
  category: z.string().optional(),
  sort: z.enum(['price_asc', 'price_desc', 'popular', 'newest', 'fastest', 'best_rated']).optional(),
  verified: z.boolean().optional(),
  type: z.string().optional(),
  limit: z.number().int().min(1).max(100).optional(),
  cursor: z.string().optional(),
  listing_id: z.string().optional(),
  slug: z.string().optional(),
  seller_slug: z.string().optional(),
});
export const BrowseApisOutput = z.looseObject({ data: z.array(ListingSchema), ...cursorPage });

export const DescribeEndpointInput = z.strictObject({
  /** Listing id (UUID). */
  listing_id: z.string().min(1),
});
export const ListingDocsSchema = z.looseObject({
  listing_id: z.string(),
  doc_type: z.string(),
  content: z.string(),
  parsed_endpoints: z.array(z.unknown()).nullable(),
  updated_at: z.string(),
});
export const DescribeEndpointOutput = z.looseObject({ listing: ListingSchema, docs: ListingDocsSchema.nullable() });

export const CallApiInput = z.strictObject({
  listing_id: z.string().min(1),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).optional(),
  /** Upstream path, starting with `/`. */
  path: z.string().startsWith('/'),
  query: z.record(z.string(), z.string()).optional(),
  /** Raw request body (JSON callers stringify it themselves so the hashed bytes are explicit). */
  body: z.string().optional(),
  content_type: z.string().optional(),
  shield: shieldMode.optional(),
  /** Extension `idempotency`: a gateway without it does not list this argument. */
  idempotency_key: z.string().min(1).max(255).regex(/^[\x20-\x7e]+$/).optional(),
});
export const ToolShieldSchema = z.looseObject({
  mode: shieldMode,
  score: z.number().min(0).max(1),
  flags: z.array(z.string()),
  action: z.enum(['allowed', 'flagged', 'blocked']),
});
export const CallApiOutput = z.looseObject({
  status: z.number().int(),
  content_type: z.string().nullable(),
  /** Upstream body as text, exactly as delivered. */
  body: z.string(),
  /** The receipt's amount, integer micro-USD. */
  amount_micro_usd: money,
  request_id: z.string(),
  /** The signed receipt: base64 of its JSON, as in `x-proxygate-receipt`. */
  receipt: z.string(),
  /** The same receipt decoded, for display; only the base64 form is verified. */
  receipt_decoded: z.record(z.string(), z.unknown()),
  shield: ToolShieldSchema,
  /** Extension `idempotency`. */
  idempotent_replayed: z.boolean().optional(),
});

export const CheckBalanceInput = z.strictObject({});
/** `GET /v1/balance`: every amount integer micro-USD (the gateway says "lamports"). */
export const CheckBalanceOutput = z.looseObject({
  balance: money,
  pending_settlement: money,
  available: z.number().int(),
  in_cooldown: z.boolean(),
  currency: z.string(),
});

export const GetPricingInput = z.strictObject({
  service: z.string().optional(),
  limit: z.number().int().min(1).max(100).optional(),
  cursor: z.string().optional(),
});
export const GetPricingOutput = z.looseObject({
  services: z.array(z.looseObject({
    service: z.string(),
    name: z.string(),
    pricing_unit: z.string(),
    /** micro-USD, whatever the name says. */
    price_per_request_micro_cents: money,
  })),
  ...cursorPage,
});

export const GetUsageInput = z.strictObject({
  service: z.string().optional(),
  model: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  limit: z.number().int().min(1).max(100).optional(),
  cursor: z.string().optional(),
});
export const GetUsageOutput = z.looseObject({
  usage: z.array(z.looseObject({
    id: z.string(),
    service: z.string(),
    path: z.string(),
    status_code: z.number().int(),
    /** micro-USD, whatever the name says. */
    cost_micro_cents: money,
    listing_id: z.string(),
    created_at: z.string(),
  })),
  summary: z.array(z.looseObject({ service: z.string(), model: z.string().nullable(), request_count: z.number().int(), total_cost_micro_cents: money })),
  ...cursorPage,
});

export const RateSellerInput = z.strictObject({ request_id: z.string().min(1), is_positive: z.boolean() });
export const RateSellerOutput = z.looseObject({ success: z.literal(true), is_update: z.boolean() });

/** Error payload of a tool result with `isError: true` (the REST error body, as JSON text). */
export const ToolErrorBody = z.looseObject({
  error: z.string(),
  message: z.string(),
  status: z.number().int().optional(),
  code: z.string().optional(),
  required_scope: z.string().optional(),
});

export const TOOL_SCHEMAS = {
  browse_apis: { input: BrowseApisInput, output: BrowseApisOutput },
  describe_endpoint: { input: DescribeEndpointInput, output: DescribeEndpointOutput },
  call_api: { input: CallApiInput, output: CallApiOutput },
  check_balance: { input: CheckBalanceInput, output: CheckBalanceOutput },
  get_pricing: { input: GetPricingInput, output: GetPricingOutput },
  get_usage: { input: GetUsageInput, output: GetUsageOutput },
  rate_seller: { input: RateSellerInput, output: RateSellerOutput },
} as const satisfies Record<GatewayToolName, { input: z.ZodType; output: z.ZodType }>;

/**
 * Scope each tool needs, in our names (public-gateway names satisfy them too: `proxy` is `trade`,
 * `balance:read`/`usage:read` are `account:read`; rating takes `rate:write` or `trade`).
 */
export const TOOL_SCOPES: Record<GatewayToolName, string | null> = {
  browse_apis: null,
  describe_endpoint: null,
  get_pricing: null,
  check_balance: 'account:read',
  get_usage: 'account:read',
  call_api: 'trade',
  rate_seller: 'rate:write',
};

export type BrowseApisParams = z.input<typeof BrowseApisInput>;
export type BrowseApisResult = z.output<typeof BrowseApisOutput>;
export type DescribeEndpointParams = z.input<typeof DescribeEndpointInput>;
export type DescribeEndpointResult = z.output<typeof DescribeEndpointOutput>;
export type CallApiParams = z.input<typeof CallApiInput>;
export type CallApiToolOutput = z.output<typeof CallApiOutput>;
export type CheckBalanceResult = z.output<typeof CheckBalanceOutput>;
export type GetPricingParams = z.input<typeof GetPricingInput>;
export type GetPricingResult = z.output<typeof GetPricingOutput>;
export type GetUsageParams = z.input<typeof GetUsageInput>;
export type GetUsageResult = z.output<typeof GetUsageOutput>;
export type RateSellerParams = z.input<typeof RateSellerInput>;
export type RateSellerResult = z.output<typeof RateSellerOutput>;
