import type { Me, TokenInfo } from '@proxygate-kit/sdk';
import type { GatewayClient } from './client.js';

/** Where the token's scopes were learned, if anywhere. */
export type ScopesSource = 'token_introspection' | 'token_claim' | 'unknown';

export interface Identity {
  /** `GET /v1/me`: served by every gateway. */
  account: Me;
  /** `GET /v1/tokens/self`, where the gateway advertises token introspection; else null. */
  token: TokenInfo | null;
  scopes: string[] | null;
  scopes_source: ScopesSource;
}

/**
 * Who the key belongs to: `account.me()` on any gateway, plus token introspection where the
 * gateway advertises it. Elsewhere a `pg_del_` token's own `scopes` claim is shown (unverified);
 * a `pg_live_` key's scopes cannot be known.
 */
export async function identify(client: GatewayClient): Promise<Identity> {
  const [account, extensions] = await Promise.all([client.account.me(), client.meta.extensions()]);
  if (extensions.has('token_scopes')) {
    const token = await client.tokens.self();
    return { account, token, scopes: [...token.scopes], scopes_source: 'token_introspection' };
  }
  const claimed = client.knownScopes;
  return { account, token: null, scopes: claimed ? [...claimed] : null, scopes_source: claimed ? 'token_claim' : 'unknown' };
}

/** How the scopes line says where they came from. */
export function scopesText(identity: Identity): string {
  if (identity.scopes === null) return 'unknown (this gateway has no token introspection and a pg_live_ key carries no scope claim)';
  const list = identity.scopes.join(' ') || '(none)';
  return identity.scopes_source === 'token_claim' ? `${list} (from the token's own claim, unverified)` : list;
}
