import { Flags } from '@oclif/core';
import type { Category } from '@proxygate-kit/sdk';
import { BaseCommand } from '../lib/base-command.js';
import { createClient } from '../lib/client.js';
import { compact, renderTable } from '../lib/format.js';
import { listJson, listPages, moreHint, type ListJson } from '../lib/pages.js';

export default class Categories extends BaseCommand {
  static override summary = 'list catalog categories and their subcategories';
  static override examples = ['<%= config.bin %> categories', '<%= config.bin %> categories --limit 2', '<%= config.bin %> categories --all --json'];
  static override enableJsonFlag = true;
  static override flags = {
    q: Flags.string({ description: 'only categories matching this text' }),
    limit: Flags.integer({ description: 'page size (1..100)', min: 1, max: 100 }),
    cursor: Flags.string({ description: 'start from this cursor' }),
    all: Flags.boolean({ description: 'follow cursors through every page' }),
  };

  async run(): Promise<ListJson<Category>> {
    const { flags } = await this.parse(Categories);
    const client = await createClient(await this.resolveAuth(flags));
    const listed = await listPages(client.catalog.categories(compact({ q: flags.q, limit: flags.limit, cursor: flags.cursor })), flags.all);
    this.out(
      listed.items.length
        ? renderTable(listed.items, [
            { header: 'slug', get: (c) => c.slug },
            { header: 'name', get: (c) => c.name },
            { header: 'listings', get: (c) => c.listing_count },
            { header: 'subcategories', get: (c) => c.subcategories.map((s) => s.slug).join(', ') },
          ])
        : 'No categories.',
    );
    const more = moreHint(listed);
    if (more) this.note(more);
    return listJson(listed);
  }
}
