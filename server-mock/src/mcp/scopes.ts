import type { Profile } from '../state/profile.js';

type Need = 'account' | 'balance' | 'usage' | 'spend' | 'rate';

/** What each MCP tool needs; null = no token needed. Tool names and needs are ours (design brief §6). */
const TOOL_NEEDS: Record<string, Need | null> = {
  browse_apis: null,
  describe_endpoint: null,
  get_pricing: null,
  check_balance: 'balance',
  get_usage: 'usage',
  call_api: 'spend',
  rate_seller: 'rate',
};

// Each profile names the needs with its own scopes (profile.ts): ours, or the public gateway's.
const NEED_SCOPES: Record<Profile, Record<Need, string>> = {
  extended: { account: 'account:read', balance: 'account:read', usage: 'account:read', spend: 'trade', rate: 'trade' },
  public: { account: 'balance:read', balance: 'balance:read', usage: 'usage:read', spend: 'proxy', rate: 'rate:write' },
};

/** The scope a tool needs in a profile (null: none). */
export function toolScope(tool: string, profile: Profile = 'extended'): string | null {
  const need = TOOL_NEEDS[tool];
  return need ? NEED_SCOPES[profile][need] : null;
}

// The public gateway's scope names that count as ours (a token minted elsewhere may carry them).
const EQUIVALENT: Record<string, readonly string[]> = {
  trade: ['trade', 'proxy'],
  'account:read': ['account:read', 'balance:read', 'usage:read'],
};

export function grants(scopes: readonly string[], required: string): boolean {
  return (EQUIVALENT[required] ?? [required]).some((scope) => scopes.includes(scope));
}
