// Scope names of both vocabularies: ours (`catalog:read`, `account:read`, `trade`, `tokens:write`,
// served with the `token_scopes` extension) and the public gateway's (`proxy`, `balance:read`,
// `usage:read`, `rate:write`, `wallet:limits`, ...). Local refusals must never refuse what a gateway
// would allow, so each requirement accepts every scope that may grant it.

/** Scopes that satisfy a requirement, for the requirements the SDK states. */
const SATISFIED_BY: Readonly<Record<string, readonly string[]>> = {
  trade: ['trade', 'proxy'],
  'account:read': ['account:read', 'balance:read', 'usage:read'],
  'wallet:limits': ['wallet:limits', 'account:read'],
  // Rating needs `rate:write` on the public gateway and `trade` with our scopes.
  'rate:write': ['rate:write', 'trade', 'proxy'],
};

/** True when a token holding `held` may perform an operation needing `required`. */
export function hasScope(held: readonly string[], required: string): boolean {
  const accepted = SATISFIED_BY[required] ?? [required];
  return accepted.some((scope) => held.includes(scope));
}

/** Public-gateway scope an operation on `path` needs, where one is known. */
function publicScopeFor(path: string): string | undefined {
  const bare = path.split('?')[0] ?? path;
  if (/^\/?proxy\//.test(bare)) return 'proxy';
  if (bare === '/v1/balance') return 'balance:read';
  if (bare === '/v1/usage') return 'usage:read';
  if (bare === '/v1/rate') return 'rate:write';
  if (bare === '/v1/wallet/limits') return 'wallet:limits';
  return undefined;
}

/**
 * The scope(s) a refused operation likely needs, in words: the public gateway's 403 `forbidden`
 * names none, so the SDK says what it knows.
 */
export function likelyScopeHint(path: string, required: string | undefined): string | undefined {
  const publicName = publicScopeFor(path);
  const ours = required === 'rate:write' ? 'trade' : required;
  if (publicName && ours && publicName !== ours) return `"${publicName}" (public gateway scope) or "${ours}"`;
  if (publicName) return `"${publicName}"`;
  return ours ? `"${ours}"` : undefined;
}

function base64UrlDecode(text: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  const padded = text.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '=');
  try {
    const binary = atob(padded);
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * The `scopes` claim of a `pg_del_` delegation token (a JWT after the prefix), decoded WITHOUT
 * verification: only to refuse locally what the token cannot do. Undefined for any other token
 * (a `pg_live_` key's scopes are unknown) or a claim that cannot be read.
 */
export function delegationTokenScopes(token: string | undefined): string[] | undefined {
  if (!token?.startsWith('pg_del_')) return undefined;
  const parts = token.slice('pg_del_'.length).split('.');
  if (parts.length !== 3 || parts[1] === undefined) return undefined;
  const payload = base64UrlDecode(parts[1]);
  if (payload === undefined) return undefined;
  let claims: unknown;
  try {
    claims = JSON.parse(payload);
  } catch {
    return undefined;
  }
  const scopes = typeof claims === 'object' && claims !== null ? (claims as { scopes?: unknown }).scopes : undefined;
  if (typeof scopes === 'string') return scopes.split(/[\s,]+/).filter(Boolean);
  if (Array.isArray(scopes) && scopes.every((s) => typeof s === 'string')) return [...(scopes as string[])];
  return undefined;
}
