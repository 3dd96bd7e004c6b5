import { Flags } from '@oclif/core';
import type { TokenInfo } from '@proxygate-kit/sdk';
import { BaseCommand } from '../../lib/base-command.js';
import { createClient } from '../../lib/client.js';
import { loadMoney } from '../../lib/money.js';
import { tokenTable } from '../../lib/token-render.js';

export default class TokensList extends BaseCommand {
  static override summary = "list tokens minted by this token's account (secrets are never shown): a gateway extension";
  static override examples = ['<%= config.bin %> tokens list', '<%= config.bin %> tokens list --json'];
  static override enableJsonFlag = true;
  static override flags = {
    limit: Flags.integer({ description: 'page size (1..100)', min: 1, max: 100 }),
    all: Flags.boolean({ description: 'follow cursors through every page', default: true, allowNo: true }),
  };

  async run(): Promise<TokenInfo[]> {
    const { flags } = await this.parse(TokensList);
    const auth = await this.resolveAuth(flags);
    this.requireKey(auth);
    const pages = (await createClient(auth)).tokens.list(flags.limit === undefined ? {} : { limit: flags.limit });
    const tokens: TokenInfo[] = [];
    if (flags.all) for await (const token of pages) tokens.push(token);
    else tokens.push(...(await pages).data);
    this.out(tokens.length ? tokenTable(await loadMoney(), tokens) : 'No tokens.');
    return tokens;
  }
}
