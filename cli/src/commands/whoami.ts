import { BaseCommand } from '../lib/base-command.js';
import { createClient } from '../lib/client.js';
import { formatUsd, renderKeyValues } from '../lib/format.js';
import { maskToken } from '../lib/redact.js';
import type { TokenInfo } from '@proxygate-kit/sdk';

const SOURCES = { flag: '--api-key flag', env: 'PROXYGATE_API_KEY', profile: 'stored profile', none: 'none' } as const;

export default class Whoami extends BaseCommand {
  static override summary = 'show the token in use: id, scopes, expiry, spend cap, where it is stored';
  static override examples = ['<%= config.bin %> whoami', '<%= config.bin %> whoami --json'];
  static override enableJsonFlag = true;

  async run(): Promise<TokenInfo & { key: string; key_source: string; stored_in: string | null; gateway_url: string; profile: string }> {
    const { flags } = await this.parse(Whoami);
    const auth = await this.resolveAuth(flags);
    const key = this.requireKey(auth);
    const info = await (await createClient(auth)).tokens.self();
    const storedIn = auth.source === 'profile' ? (auth.storedAt ?? null) : null;
    this.out(
      renderKeyValues([
        ['token', info.id],
        ['name', info.name],
        ['type', info.type],
        ['key', maskToken(key)],
        ['scopes', info.scopes.join(' ') || '(none)'],
        ['listings', info.listings === null ? 'all' : info.listings.join(' ')],
        ['expires', info.expires_at ?? 'never'],
        ['spend cap', info.spend_cap_micro_cents === null ? 'none' : formatUsd(info.spend_cap_micro_cents)],
        ['spent', formatUsd(info.spent_micro_cents)],
        ['revoked', info.revoked_at ?? 'no'],
        ['gateway', auth.gatewayUrl],
        ['key from', storedIn ? `${SOURCES[auth.source]} "${auth.profile}" (${storedIn})` : SOURCES[auth.source]],
      ]),
    );
    return { ...info, key: maskToken(key), key_source: auth.source, stored_in: storedIn, gateway_url: auth.gatewayUrl, profile: auth.profile };
  }
}
