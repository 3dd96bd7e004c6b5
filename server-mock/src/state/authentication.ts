import { GatewayError } from './errors.js';
import type { AuthContext, GatewayContext } from './gateway-types.js';
import { scopeFor, type Permission } from './profile.js';
import type { TokenStore } from './tokens.js';

type UnauthorizedCode = 'unauthorized' | 'invalid_token' | 'token_expired' | 'token_revoked';

const LOOKUP_MESSAGES = {
  invalid_token: 'The token is malformed or unknown.',
  token_expired: 'The token has expired.',
  token_revoked: 'The token has been revoked.',
} as const;

function unauthorized(ctx: GatewayContext, error: UnauthorizedCode, message: string, origin: string): GatewayError {
  const detailed = ctx.switches.detailed401;
  return new GatewayError(
    401,
    {
      error: detailed ? error : 'unauthorized',
      message: detailed ? message : 'Authentication is required for this endpoint.',
      action: 'Attach a valid API key or delegation token as `Authorization: Bearer <token>`.',
      trace_id: ctx.traceId(),
    },
    {
      // RFC 6750 §3.1: a request that carried no credentials gets a challenge without an error code.
      'WWW-Authenticate':
        error === 'unauthorized'
          ? `Bearer realm="proxygate", resource_metadata="${origin}/.well-known/oauth-protected-resource"`
          : `Bearer realm="proxygate", error="invalid_token", resource_metadata="${origin}/.well-known/oauth-protected-resource"`,
    },
  );
}

/**
 * Resolves an `Authorization` header to the caller; 401 (with the challenge header) otherwise.
 * Never echoes the token. `origin` goes into the challenge's `resource_metadata`.
 */
export function authenticate(ctx: GatewayContext, tokens: TokenStore, authorization: string | null | undefined, origin: string): AuthContext {
  if (!authorization) throw unauthorized(ctx, 'unauthorized', 'This operation needs a token.', origin);
  const secret = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
  if (!secret || !(secret.startsWith('pg_live_') || secret.startsWith('pg_del_'))) {
    throw unauthorized(ctx, 'invalid_token', LOOKUP_MESSAGES.invalid_token, origin);
  }
  const found = tokens.lookup(secret, ctx.now());
  if (!found.ok) throw unauthorized(ctx, found.reason, LOOKUP_MESSAGES[found.reason], origin);
  return { token: found.token };
}

/**
 * Refuses a caller whose token lacks the permission's scope: extended profile 403
 * `insufficient_scope` naming it (+ challenge); public profile 403 `forbidden`, no scope named.
 */
export function requirePermission(ctx: GatewayContext, auth: AuthContext, permission: Permission): void {
  const scope = scopeFor(ctx.profile, permission);
  if (scope === null) throw new GatewayError(404, { error: 'not_found', message: 'No such route.', trace_id: ctx.traceId() });
  if ((auth.token.scopes as readonly string[]).includes(scope)) return;
  if (!ctx.switches.namedScopes) {
    throw new GatewayError(403, {
      error: 'forbidden',
      message: 'The authenticated caller is not permitted to perform this action.',
      action: 'Use a credential with the required scope.',
      trace_id: ctx.traceId(),
    });
  }
  throw new GatewayError(
    403,
    {
      error: 'insufficient_scope',
      required_scope: scope,
      message: `This operation needs the ${scope} scope.`,
      action: `Use a token with the ${scope} scope.`,
      trace_id: ctx.traceId(),
    },
    { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${scope}"` },
  );
}

/** Extension operations answer 404 `not_found` in the public profile, like their routes. */
export function requireExtensions(ctx: GatewayContext, what: string): void {
  if (ctx.switches.extensions) return;
  throw new GatewayError(404, { error: 'not_found', message: `No route ${what}.`, trace_id: ctx.traceId() });
}
