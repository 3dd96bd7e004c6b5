import type { TokenInfo } from '@proxygate-kit/sdk';
import { formatUsd, renderKeyValues, renderTable } from './format.js';

export function tokenTable(tokens: readonly TokenInfo[]): string {
  return renderTable(tokens, [
    { header: 'id', get: (t) => t.id },
    { header: 'name', get: (t) => t.name },
    { header: 'type', get: (t) => t.type },
    { header: 'scopes', get: (t) => t.scopes.join(' ') },
    { header: 'expires', get: (t) => t.expires_at ?? 'never' },
    { header: 'cap', get: (t) => (t.spend_cap_micro_cents === null ? 'none' : formatUsd(t.spend_cap_micro_cents)) },
    { header: 'spent', get: (t) => formatUsd(t.spent_micro_cents) },
    { header: 'status', get: (t) => (t.revoked_at ? 'revoked' : 'active') },
  ]);
}

export function tokenDetails(t: TokenInfo): string {
  return renderKeyValues([
    ['id', t.id],
    ['name', t.name],
    ['parent', t.parent_id],
    ['scopes', t.scopes.join(' ') || '(none)'],
    ['listings', t.listings === null ? 'all' : t.listings.join(' ')],
    ['expires', t.expires_at ?? 'never'],
    ['spend cap', t.spend_cap_micro_cents === null ? 'none' : formatUsd(t.spend_cap_micro_cents)],
    ['spent', formatUsd(t.spent_micro_cents)],
    ['revoked', t.revoked_at ?? 'no'],
  ]);
}
