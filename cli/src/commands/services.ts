import { Flags } from '@oclif/core';
import type { ServiceStats } from '@proxygate-kit/sdk';
import { BaseCommand } from '../lib/base-command.js';
import { servicesTable } from '../lib/catalog-render.js';
import { createClient } from '../lib/client.js';
import { compact } from '../lib/format.js';
import { loadMoney } from '../lib/money.js';
import { listJson, listPages, moreHint, type ListJson } from '../lib/pages.js';

export default class Services extends BaseCommand {
  static override summary = 'list the services offered through the gateway, with their cheapest buyer price';
  static override examples = ['<%= config.bin %> services', '<%= config.bin %> services --all --json'];
  static override enableJsonFlag = true;
  static override flags = {
    limit: Flags.integer({ description: 'page size (1..100)', min: 1, max: 100 }),
    cursor: Flags.string({ description: 'start from this cursor' }),
    all: Flags.boolean({ description: 'follow cursors through every page' }),
  };

  async run(): Promise<ListJson<ServiceStats>> {
    const { flags } = await this.parse(Services);
    const client = await createClient(await this.resolveAuth(flags));
    const listed = await listPages(client.catalog.services(compact({ limit: flags.limit, cursor: flags.cursor })), flags.all);
    this.out(listed.items.length ? servicesTable(await loadMoney(), listed.items) : 'No services.');
    const more = moreHint(listed);
    if (more) this.note(more);
    return listJson(listed);
  }
}
