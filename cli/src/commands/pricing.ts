import { Flags } from '@oclif/core';
import type { ServicePricing } from '@proxygate-kit/sdk';
import { BaseCommand } from '../lib/base-command.js';
import { pricingTable } from '../lib/catalog-render.js';
import { createClient } from '../lib/client.js';
import { compact } from '../lib/format.js';
import { loadMoney } from '../lib/money.js';
import { listJson, listPages, moreHint, type ListJson } from '../lib/pages.js';

export default class Pricing extends BaseCommand {
  static override summary = 'list the price of each service (per request, or per million tokens)';
  static override examples = ['<%= config.bin %> pricing', '<%= config.bin %> pricing --service weather --json', '<%= config.bin %> pricing --all'];
  static override enableJsonFlag = true;
  static override flags = {
    service: Flags.string({ description: 'only this service' }),
    limit: Flags.integer({ description: 'page size (1..100)', min: 1, max: 100 }),
    cursor: Flags.string({ description: 'start from this cursor' }),
    all: Flags.boolean({ description: 'follow cursors through every page' }),
  };

  async run(): Promise<ListJson<ServicePricing>> {
    const { flags } = await this.parse(Pricing);
    const client = await createClient(await this.resolveAuth(flags));
    const listed = await listPages(client.catalog.pricing(compact({ service: flags.service, limit: flags.limit, cursor: flags.cursor })), flags.all);
    this.out(listed.items.length ? pricingTable(await loadMoney(), listed.items) : 'No prices.');
    const more = moreHint(listed);
    if (more) this.note(more);
    return listJson(listed);
  }
}
