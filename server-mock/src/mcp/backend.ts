/**
 * What the MCP endpoint needs from the gateway. It is the transport-free domain layer seen
 * through the tools' shapes, so `/mcp` and REST share one in-memory state (balance, receipts,
 * scopes). `Principal` is whatever the domain layer uses to identify the presented token.
 */
export interface McpCaller<Principal> {
  principal: Principal;
  scopes: readonly string[];
}

/** A failed operation as its REST answer (the domain layer's `GatewayError` has this shape). */
export interface McpBackendError {
  status: number;
  body: { error: string; message: string; [extra: string]: unknown };
  headers?: Record<string, string>;
}

/** A backend error raised by the MCP layer itself (the domain layer throws its own `GatewayError`). */
export class McpBackendFailure extends Error implements McpBackendError {
  constructor(readonly status: number, readonly body: McpBackendError['body']) {
    super(`${status} ${body.error}: ${body.message}`);
    this.name = 'McpBackendFailure';
  }
}

export function isBackendError(error: unknown): error is McpBackendError {
  if (typeof error !== 'object' || error === null) return false;
  const { status, body } = error as { status?: unknown; body?: unknown };
  return typeof status === 'number' && typeof body === 'object' && body !== null &&
    typeof (body as { error?: unknown }).error === 'string';
}

export interface CallApiArgs {
  listing_id: string;
  method?: string | undefined;
  path: string;
  query?: Record<string, string> | undefined;
  body?: string | undefined;
  content_type?: string | undefined;
  shield?: 'off' | 'monitor' | 'strict' | undefined;
  /** Extension `idempotency` (extended profile only). */
  idempotency_key?: string | undefined;
}

export interface ToolShield {
  mode: 'off' | 'monitor' | 'strict';
  score: number;
  flags: string[];
  action: 'allowed' | 'flagged' | 'blocked';
}

export interface CallApiOutcome {
  status: number;
  content_type: string | null;
  body: string;
  /** Integer micro-USD charged (0 when free or refunded). */
  amount_micro_usd: number;
  request_id: string;
  /** base64 of the receipt JSON, byte for byte what `x-proxygate-receipt` carries. */
  receipt: string;
  shield: ToolShield;
  /** Extension `idempotency`: present only when the backend honours idempotency keys. */
  idempotent_replayed?: boolean;
  /** Set when the shield blocked the response (strict): the REST 422 body. */
  blocked?: { error: string; message: string; [extra: string]: unknown } | undefined;
}

/** The tools' inputs and outputs mirror the REST routes (design brief §6). */
export interface McpBackend<Principal> {
  /** null when no Authorization header; throws an `McpBackendError` (401) for a bad token. */
  authenticate(authorization: string | null): Promise<McpCaller<Principal> | null>;
  /** `/v1/apis` query -> `{ data, cursor, has_more }`. */
  browseApis(args: Record<string, unknown>): Promise<unknown>;
  /** `{ listing: CatalogListing, docs: ListingDocsResponse | null }`. */
  describeEndpoint(listingId: string): Promise<{ listing: unknown; docs: unknown }>;
  /** `/v1/pricing` query -> PricingResponse. */
  getPricing(args: { service?: string | undefined; limit?: number | undefined; cursor?: string | undefined }): Promise<unknown>;
  /** VaultBalanceResponse. */
  checkBalance(caller: McpCaller<Principal>): Promise<unknown>;
  /** `/v1/usage` query -> UsageResponse. */
  getUsage(caller: McpCaller<Principal>, args: Record<string, unknown>): Promise<unknown>;
  /** RateResponse. */
  rateSeller(caller: McpCaller<Principal>, args: { request_id: string; is_positive: boolean }): Promise<unknown>;
  callApi(caller: McpCaller<Principal>, args: CallApiArgs): Promise<CallApiOutcome>;
  /** The server's public origin (read per request); its hosts are the ones /mcp answers to. */
  origin?(): string;
  /** When present, the mock also runs its toy OAuth authorization server (see oauth-server.ts). */
  issueAccessToken?(scopes: readonly string[]): Promise<{ token: string; scopes: string[]; expiresIn: number }>;
}
