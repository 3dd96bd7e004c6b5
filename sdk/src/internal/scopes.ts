/** Scopes of our spec and the gateway scopes that also satisfy them (public gateway names). */
const SATISFIED_BY: Readonly<Record<string, readonly string[]>> = {
  trade: ['trade', 'proxy'],
  'account:read': ['account:read', 'balance:read', 'usage:read'],
};

/** True when a token holding `held` may perform an operation needing `required`. */
export function hasScope(held: readonly string[], required: string): boolean {
  const accepted = SATISFIED_BY[required] ?? [required];
  return accepted.some((scope) => held.includes(scope));
}
