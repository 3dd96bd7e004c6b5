import { Flags } from '@oclif/core';
import type { TokenInfo } from '@proxygate-kit/sdk';
import { BaseCommand } from '../../lib/base-command.js';
import { createClient } from '../../lib/client.js';
import { compact } from '../../lib/format.js';
import { loadMoney } from '../../lib/money.js';
import { listJson, listPages, moreHint, type ListJson } from '../../lib/pages.js';
import { tokenTable } from '../../lib/token-render.js';

export default class TokensList extends BaseCommand {
  static override summary = "list tokens minted by this token's account (secrets are never shown): a gateway extension";
  static override description = 'Every page by default (--no-all: one page of --limit, then the --cursor of the next).';
  static override examples = ['<%= config.bin %> tokens list', '<%= config.bin %> tokens list --json', '<%= config.bin %> tokens list --no-all --limit 10'];
  static override enableJsonFlag = true;
  static override flags = {
    limit: Flags.integer({ description: 'page size (1..100)', min: 1, max: 100 }),
    cursor: Flags.string({ description: 'start from this cursor (printed after a page with more results)' }),
    all: Flags.boolean({ description: 'follow cursors through every page (--no-all: one page)', default: true, allowNo: true }),
  };

  async run(): Promise<ListJson<TokenInfo>> {
    const { flags } = await this.parse(TokensList);
    const auth = await this.resolveAuth(flags);
    this.requireKey(auth);
    const listed = await listPages((await createClient(auth)).tokens.list(compact({ limit: flags.limit, cursor: flags.cursor })), flags.all);
    this.out(listed.items.length ? tokenTable(await loadMoney(), listed.items) : 'No tokens.');
    const more = moreHint(listed);
    if (more) this.note(more);
    return listJson(listed);
  }
}
