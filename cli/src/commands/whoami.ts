import { BaseCommand } from '../lib/base-command.js';
import { createClient } from '../lib/client.js';
import { renderKeyValues } from '../lib/format.js';
import { identify, scopesText, type Identity } from '../lib/identity.js';
import { loadMoney } from '../lib/money.js';
import { maskToken } from '../lib/redact.js';
import { tokenPairs } from '../lib/token-render.js';

const SOURCES = { flag: '--api-key flag', env: 'PROXYGATE_API_KEY', profile: 'stored profile', none: 'none' } as const;

export default class Whoami extends BaseCommand {
  static override summary = 'show who the key belongs to (GET /v1/me) and, where the gateway can say, the token itself';
  static override description = `Every gateway answers GET /v1/me (wallet, display name, auth method). Where the gateway advertises
token introspection (an extension), the token's id, scopes, expiry, spend cap and listings follow;
elsewhere the output says so, and shows a pg_del_ token's own scope claim (unverified).`;
  static override examples = ['<%= config.bin %> whoami', '<%= config.bin %> whoami --json'];
  static override enableJsonFlag = true;

  async run(): Promise<Identity & { key: string; key_source: string; stored_in: string | null; gateway_url: string; profile: string }> {
    const { flags } = await this.parse(Whoami);
    const auth = await this.resolveAuth(flags);
    const key = this.requireKey(auth);
    const identity = await identify(await createClient(auth));
    const storedIn = auth.source === 'profile' ? (auth.storedAt ?? null) : null;
    const { account, token } = identity;
    const tokenLines = token
      ? tokenPairs(await loadMoney(), token).filter(([k]) => k !== 'scopes')
      : [['token', 'not introspected: this gateway does not advertise token introspection (GET /health)'] as const];
    this.out(
      renderKeyValues([
        ['wallet', account.wallet],
        ['display name', account.display_name],
        ['auth method', account.auth_method],
        ['seller status', account.seller_status],
        ['member since', account.created_at],
        ['key', maskToken(key)],
        ['scopes', scopesText(identity)],
        ...tokenLines,
        ['gateway', auth.gatewayUrl],
        ['key from', storedIn ? `${SOURCES[auth.source]} "${auth.profile}" (${storedIn})` : SOURCES[auth.source]],
      ]),
    );
    return { ...identity, key: maskToken(key), key_source: auth.source, stored_in: storedIn, gateway_url: auth.gatewayUrl, profile: auth.profile };
  }
}
