import { authenticate, requireExtensions, requirePermission } from './authentication.js';
import { findEntry } from './catalog-lookup.js';
import { GatewayError } from './errors.js';
import type { AuthContext, GatewayContext } from './gateway-types.js';
import { paginate, type Page, type PageParams } from './pagination.js';
import type { Scope } from './profile.js';
import type { GatewayState } from './seeded-state.js';
import { remainingCap } from './spend-limits.js';
import { DEFAULT_DELEGATION_TTL_MS, narrowChild, type CreateTokenBody } from './token-narrowing.js';
import { tokenInfo } from './tokens.js';
import type { TokenInfo } from './types.js';

type TokenState = Pick<GatewayState, 'catalog' | 'demoSecrets' | 'ledger' | 'tokens'>;

/** `GET /v1/tokens/self` (extension): any valid token. */
export function tokenSelf(ctx: GatewayContext, auth: AuthContext): TokenInfo {
  requireExtensions(ctx, 'GET /v1/tokens/self');
  return tokenInfo(auth.token);
}

/** `POST /v1/tokens` (extension, tokens:write): mints a delegation token that narrows the caller (see token-narrowing.ts). */
export function createToken(ctx: GatewayContext, state: TokenState, auth: AuthContext, body: CreateTokenBody): { token: string; info: TokenInfo } {
  requireExtensions(ctx, 'POST /v1/tokens');
  requirePermission(ctx, auth, 'tokens');
  const parent = auth.token;
  const now = ctx.now();
  const child = narrowChild(parent, body, {
    now,
    parentRemainingCap: remainingCap(state.tokens, parent)?.remaining ?? null,
    listingId: (ref) => findEntry(state.catalog, ref)?.listing.id,
    traceId: () => ctx.traceId(),
  });
  const { token, secret } = state.tokens.createDelegation(
    { ...child, accountId: parent.accountId, parentId: parent.id, createdAt: now, revokedAt: null, spent: 0, receiptVersion: parent.receiptVersion },
    state.ledger.accountOf(parent).wallet,
  );
  return { token: secret, info: tokenInfo(token) };
}

/**
 * The toy OAuth server's grant (both profiles): a delegation child of the demo trader holding
 * the requested scopes it has (else the profile's first read scope).
 */
export function issueOAuthToken(
  ctx: GatewayContext,
  state: TokenState,
  requested: readonly string[],
  expiresInSeconds: number,
  gatewayOrigin: string,
): { token: string; scopes: string[] } {
  const parent = authenticate(ctx, state.tokens, `Bearer ${state.demoSecrets.trader}`, gatewayOrigin).token;
  const scopes = requested.filter((scope) => (parent.scopes as readonly string[]).includes(scope));
  const granted = (scopes.length > 0 ? scopes : [ctx.profile === 'public' ? 'balance:read' : 'catalog:read']) as Scope[];
  const now = ctx.now();
  const { token, secret } = state.tokens.createDelegation(
    {
      name: 'oauth',
      scopes: granted,
      accountId: parent.accountId,
      parentId: parent.id,
      createdAt: now,
      expiresAt: new Date(now.getTime() + Math.min(expiresInSeconds * 1000, DEFAULT_DELEGATION_TTL_MS)),
      revokedAt: null,
      spendCap: null,
      spent: 0,
      listings: null,
      receiptVersion: null,
    },
    state.ledger.accountOf(parent).wallet,
  );
  return { token: secret, scopes: [...token.scopes] };
}

/** `GET /v1/tokens` (extension, tokens:write): an api key sees its account's tokens, a delegation its subtree. */
export function listTokens(ctx: GatewayContext, state: TokenState, auth: AuthContext, params: PageParams): Page<TokenInfo> {
  requireExtensions(ctx, 'GET /v1/tokens');
  requirePermission(ctx, auth, 'tokens');
  return paginate(state.tokens.visible(auth.token).map(tokenInfo), params, `tokens:${auth.token.id}`, () => ctx.traceId());
}

/** `DELETE /v1/tokens/{id}` (extension, tokens:write): revokes the token and, in cascade, its children. */
export function revokeToken(ctx: GatewayContext, state: TokenState, auth: AuthContext, tokenId: string): TokenInfo {
  requireExtensions(ctx, 'DELETE /v1/tokens/{id}');
  requirePermission(ctx, auth, 'tokens');
  const target = state.tokens.visible(auth.token).find((token) => token.id === tokenId);
  if (!target) throw new GatewayError(404, { error: 'not_found', message: 'No such token visible to this token.', trace_id: ctx.traceId() });
  const now = ctx.now();
  for (const token of [target, ...state.tokens.descendants(target)]) token.revokedAt ??= now;
  return tokenInfo(target);
}
