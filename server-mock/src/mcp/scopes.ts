/** Scope each MCP tool needs (spec/README.md "Operation -> scope"); null = no token needed. */
export const MCP_TOOL_SCOPES: Record<string, string | null> = {
  browse_apis: null,
  describe_endpoint: null,
  get_pricing: null,
  check_balance: 'account:read',
  get_usage: 'account:read',
  call_api: 'trade',
  rate_seller: 'trade',
};

// The public gateway's scope names that count as ours.
const EQUIVALENT: Record<string, readonly string[]> = {
  trade: ['trade', 'proxy'],
  'account:read': ['account:read', 'balance:read', 'usage:read'],
};

export function grants(scopes: readonly string[], required: string): boolean {
  return (EQUIVALENT[required] ?? [required]).some((scope) => scopes.includes(scope));
}
