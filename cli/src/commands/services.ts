import type { Service } from '@proxygate-kit/sdk';
import { BaseCommand } from '../lib/base-command.js';
import { createClient } from '../lib/client.js';
import { renderTable } from '../lib/format.js';

export default class Services extends BaseCommand {
  static override summary = 'list the services offered through the gateway';
  static override examples = ['<%= config.bin %> services'];
  static override enableJsonFlag = true;

  async run(): Promise<Service[]> {
    const { flags } = await this.parse(Services);
    const services = await (await createClient(await this.resolveAuth(flags))).catalog.services();
    this.out(
      renderTable(services, [
        { header: 'name', get: (s) => s.name },
        { header: 'listings', get: (s) => s.listing_count },
        { header: 'categories', get: (s) => s.categories.join(', ') },
        { header: 'description', get: (s) => s.description },
      ]),
    );
    return services;
  }
}
