/**
 * The two faces of the mock (design brief §4): `public` serves only what the public gateway
 * publishes; `extended` serves the same wire plus our extensions, advertised in `/health`. One code
 * path reads these switches; nothing is forked per profile.
 */
export type Profile = 'public' | 'extended';
export const PROFILES: readonly Profile[] = ['public', 'extended'];

/** Our scope names (extension `token_scopes`). */
export type OurScope = 'catalog:read' | 'account:read' | 'trade' | 'tokens:write';
export const OUR_SCOPES: readonly OurScope[] = ['catalog:read', 'account:read', 'trade', 'tokens:write'];

/** The public gateway's scope names the mock's public profile uses (protocol §1). */
export type PublicScope = 'proxy' | 'balance:read' | 'usage:read' | 'rate:write' | 'wallet:limits';
export const PUBLIC_SCOPES: readonly PublicScope[] = ['proxy', 'balance:read', 'usage:read', 'rate:write', 'wallet:limits'];

export type Scope = OurScope | PublicScope;

/** The scope names a profile's tokens carry. */
export function scopesOf(profile: Profile): readonly Scope[] {
  return profile === 'public' ? PUBLIC_SCOPES : OUR_SCOPES;
}

/** What an operation needs; each profile names it with its own scope. */
export type Permission = 'proxy' | 'balance' | 'usage' | 'rate' | 'wallet_limits' | 'receipts' | 'tokens';

const PERMISSION_SCOPES: Record<Permission, { public: PublicScope | null; extended: OurScope }> = {
  proxy: { public: 'proxy', extended: 'trade' },
  balance: { public: 'balance:read', extended: 'account:read' },
  usage: { public: 'usage:read', extended: 'account:read' },
  rate: { public: 'rate:write', extended: 'trade' },
  wallet_limits: { public: 'wallet:limits', extended: 'account:read' },
  // Extensions: never reached in the public profile (their routes answer 404 there).
  receipts: { public: null, extended: 'account:read' },
  tokens: { public: null, extended: 'tokens:write' },
};

export function scopeFor(profile: Profile, permission: Permission): Scope | null {
  return PERMISSION_SCOPES[permission][profile];
}

/** Extension names advertised in `/health` `extensions.features` by the extended profile. */
export const EXTENSION_FEATURES = ['token_scopes', 'tokens', 'idempotency', 'receipt_keys', 'receipt_v3', 'receipt_log', 'shield_action'] as const;
export const RECEIPT_KEYS_PATH = '/.well-known/proxygate-receipt-keys';

export interface ProfileSwitches {
  /** `/health` `extensions`, `/v1/tokens*`, `/v1/receipts`, the key-set document, `idempotent-replayed`. */
  extensions: boolean;
  /** `Idempotency-Key` honoured on paid calls (else ignored: a re-send is a new charge). */
  idempotency: boolean;
  /** 403 `insufficient_scope` + challenge (else 403 `forbidden`, no scope named). */
  namedScopes: boolean;
  /** 401 codes `invalid_token` / `token_expired` / `token_revoked` (else always `unauthorized`). */
  detailed401: boolean;
  /** `x-proxygate-shield-action` response header. */
  shieldActionHeader: boolean;
  /** SSE answers end with a `proxygate.receipt` event (else the receipt header is sent up front). */
  sseReceiptEvent: boolean;
  /** Usage rows carry `request_id`. */
  usageRequestId: boolean;
}

export function switchesOf(profile: Profile): ProfileSwitches {
  const extended = profile === 'extended';
  return {
    extensions: extended,
    idempotency: extended,
    namedScopes: extended,
    detailed401: extended,
    shieldActionHeader: extended,
    sseReceiptEvent: extended,
    usageRequestId: extended,
  };
}

export function parseProfile(raw: unknown): Profile {
  if (raw === 'public' || raw === 'extended') return raw;
  throw new TypeError(`profile must be "public" or "extended", got ${JSON.stringify(raw)}`);
}
