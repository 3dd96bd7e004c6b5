/** Error codes the mock emits (spec/README.md "Errors"); clients must also accept unknown ones. */
export type GatewayErrorCode =
  | 'validation_error'
  | 'invalid_slug'
  | 'invalid_cursor'
  | 'invalid_listing_id'
  | 'docs_not_found'
  | 'forbidden'
  | 'spend_limit_exceeded'
  | 'path_not_allowed'
  | 'scope_escalation'
  | 'unauthorized'
  | 'invalid_token'
  | 'token_expired'
  | 'token_revoked'
  | 'insufficient_credits'
  | 'insufficient_scope'
  | 'listing_not_allowed'
  | 'listing_not_found'
  | 'not_found'
  | 'idempotency_conflict'
  | 'response_blocked'
  | 'rate_limit_exceeded'
  | 'daily_free_cap'
  | 'internal_error'
  | 'upstream_error'
  | 'service_unavailable'
  | 'listing_unavailable';

export interface ErrorBody {
  error: GatewayErrorCode;
  message: string;
  action?: string;
  docs?: string;
  trace_id?: string;
  [extra: string]: unknown;
}

/**
 * A failed gateway operation, already shaped as its HTTP answer, so every transport (REST
 * handlers, MCP tools) renders the same status, body and headers.
 */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${status} ${body.error}: ${body.message}`);
    this.name = 'GatewayError';
  }

  get code(): GatewayErrorCode {
    return this.body.error;
  }
}

export function validationError(message: string, extra: Partial<ErrorBody> = {}): GatewayError {
  return new GatewayError(400, { error: 'validation_error', message, action: 'Fix the request and retry.', ...extra });
}

export function notFound(message: string): GatewayError {
  return new GatewayError(404, { error: 'not_found', message });
}

const TOKEN_LIKE = /pg_(?:live|del)_[A-Za-z0-9._-]+/g;

/** Quotes caller input for an error message, cut short and with anything token-shaped redacted. */
export function echo(input: unknown, max = 80): string {
  return JSON.stringify(String(input).replace(TOKEN_LIKE, 'pg_[redacted]').slice(0, max));
}
