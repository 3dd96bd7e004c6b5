import type { Category } from '@proxygate-kit/sdk';
import { BaseCommand } from '../lib/base-command.js';
import { createClient } from '../lib/client.js';
import { renderTable } from '../lib/format.js';

export default class Categories extends BaseCommand {
  static override summary = 'list catalog categories';
  static override examples = ['<%= config.bin %> categories'];
  static override enableJsonFlag = true;

  async run(): Promise<Category[]> {
    const { flags } = await this.parse(Categories);
    const categories = await (await createClient(await this.resolveAuth(flags))).catalog.categories();
    this.out(
      renderTable(categories, [
        { header: 'name', get: (c) => c.name },
        { header: 'listings', get: (c) => c.listing_count },
      ]),
    );
    return categories;
  }
}
