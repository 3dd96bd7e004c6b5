import { Flags } from '@oclif/core';
import type { TokenCreateParams, TokenInfo } from '@proxygate-kit/sdk';
import { BaseCommand } from '../../lib/base-command.js';
import { createClient } from '../../lib/client.js';
import { saveProfile } from '../../lib/credentials.js';
import { UsageError } from '../../lib/errors.js';
import { compact, parseExpiry, todayUtc } from '../../lib/format.js';
import { loadMoney, parseUsdFlag } from '../../lib/money.js';
import { maskToken } from '../../lib/redact.js';
import { tokenDetails } from '../../lib/token-render.js';

const SCOPES = ['catalog:read', 'account:read', 'trade', 'tokens:write'] as const;

export default class TokensCreate extends BaseCommand {
  static override summary = 'mint a narrower delegation token (scopes, spend cap, expiry, listings): a gateway extension';
  static override description = `The new token can only narrow the one in use. Its secret is shown once: it is the only thing
written to stdout (so TOKEN=$(proxygate tokens create …) works); details go to stderr. With
--save-profile it is stored as a profile instead and never printed. Token management is an
extension: on a gateway that does not advertise it (the public gateway: mint tokens in its web
app) the command says so and exits 1, sending nothing.`;
  static override examples = [
    'AGENT_TOKEN=$(<%= config.bin %> tokens create --scope trade --spend-cap 2.50 --expires 1h --listing weather-current)',
    '<%= config.bin %> tokens create --scope catalog:read --scope account:read --save-profile readonly',
  ];
  static override enableJsonFlag = true;
  static override flags = {
    scope: Flags.string({ description: 'scope to grant (repeatable)', multiple: true, required: true, options: [...SCOPES] }),
    'spend-cap': Flags.string({ description: 'spend cap in USD, e.g. 2.50 (exact, up to 6 decimals)' }),
    expires: Flags.string({ description: 'expiry: a duration (30m, 12h, 7d), an RFC 3339 time or a date (midnight UTC)' }),
    listing: Flags.string({ description: 'listing the token may call: id, SELLER/SLUG or slug (repeatable; default all the parent may call)', multiple: true }),
    name: Flags.string({ description: 'a label for the token' }),
    'save-profile': Flags.string({ description: 'store the new token as this profile instead of printing it' }),
  };

  async run(): Promise<{ token: string; info: TokenInfo; saved_profile?: string }> {
    const { flags } = await this.parse(TokensCreate);
    const cap = flags['spend-cap'] === undefined ? undefined : await parseUsdFlag('spend-cap', flags['spend-cap']);
    const expiresAt = flags.expires === undefined ? undefined : parseExpiry(flags.expires);
    // The example date is tomorrow's: a fixed one would itself be in the past some day.
    const example = `e.g. --expires 1h or --expires ${todayUtc(Date.now() + 86_400_000)}`;
    if (flags.expires !== undefined && expiresAt === undefined) throw new UsageError(`--expires is not a duration or time: "${flags.expires}"`, example);
    if (flags.expires !== undefined && expiresAt !== undefined && Date.parse(expiresAt) <= Date.now()) {
      throw new UsageError(`--expires is in the past: "${flags.expires}"`, example);
    }
    const auth = await this.resolveAuth(flags);
    this.requireKey(auth);
    const client = await createClient(auth);
    // The gateway narrows by listing id; a slug given here is resolved first (an ambiguous one is refused).
    const listings = flags.listing === undefined ? undefined : await Promise.all(flags.listing.map(async (ref) => (await client.catalog.get(ref)).listing_id));
    const params: TokenCreateParams = {
      scopes: flags.scope as TokenCreateParams['scopes'],
      ...compact({ name: flags.name, spend_cap_micro_usd: cap, expires_at: expiresAt, listings }),
    };
    const created = await client.tokens.create(params);
    const money = await loadMoney();
    this.secrets.push(created.token);
    const saveAs = flags['save-profile'];
    if (saveAs) {
      const saved = await saveProfile(saveAs, created.token, auth.gatewayUrl);
      this.note(`Created ${created.info.id} (${maskToken(created.token)}), stored as profile "${saveAs}" in ${saved.description}`);
      this.note(tokenDetails(money, created.info));
      return { token: maskToken(created.token), info: created.info, saved_profile: saveAs };
    }
    this.note(`Created ${created.info.id}; the secret below is shown once:`);
    this.note(tokenDetails(money, created.info));
    if (!this.jsonEnabled()) process.stdout.write(`${created.token}\n`);
    return { token: created.token, info: created.info };
  }
}
