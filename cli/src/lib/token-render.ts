import type { TokenInfo } from '@proxygate-kit/sdk';
import { renderKeyValues, renderTable } from './format.js';
import type { Money } from './money.js';

export function tokenTable(money: Money, tokens: readonly TokenInfo[]): string {
  return renderTable(tokens, [
    { header: 'id', get: (t) => t.id },
    { header: 'name', get: (t) => t.name },
    { header: 'type', get: (t) => t.type },
    { header: 'scopes', get: (t) => t.scopes.join(' ') },
    { header: 'expires', get: (t) => t.expires_at ?? 'never' },
    { header: 'cap', get: (t) => (t.spend_cap_micro_usd === null ? 'none' : money.formatUsd(t.spend_cap_micro_usd)) },
    { header: 'spent', get: (t) => money.formatUsd(t.spent_micro_usd) },
    { header: 'status', get: (t) => (t.revoked_at ? 'revoked' : 'active') },
  ]);
}

/** The token's fields as `key value` pairs (whoami adds them to the account's). */
export function tokenPairs(money: Money, t: TokenInfo): Array<readonly [string, string | null]> {
  return [
    ['token', t.id],
    ['name', t.name],
    ['type', t.type],
    ['parent', t.parent_id],
    ['scopes', t.scopes.join(' ') || '(none)'],
    ['listings', t.listings === null ? 'all' : t.listings.join(' ')],
    ['expires', t.expires_at ?? 'never'],
    ['spend cap', t.spend_cap_micro_usd === null ? 'none' : money.formatUsd(t.spend_cap_micro_usd)],
    ['spent', money.formatUsd(t.spent_micro_usd)],
    ['revoked', t.revoked_at ?? 'no'],
  ];
}

export function tokenDetails(money: Money, t: TokenInfo): string {
  return renderKeyValues(tokenPairs(money, t));
}
