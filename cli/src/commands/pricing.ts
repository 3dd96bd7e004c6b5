import type { PriceEntry } from '@proxygate-kit/sdk';
import { BaseCommand } from '../lib/base-command.js';
import { createClient } from '../lib/client.js';
import { formatUsd, renderTable } from '../lib/format.js';

export default class Pricing extends BaseCommand {
  static override summary = 'list the price of every listing';
  static override examples = ['<%= config.bin %> pricing', '<%= config.bin %> pricing --json'];
  static override enableJsonFlag = true;

  async run(): Promise<PriceEntry[]> {
    const { flags } = await this.parse(Pricing);
    const prices = await (await createClient(await this.resolveAuth(flags))).catalog.pricing();
    this.out(
      renderTable(prices, [
        { header: 'listing', get: (p) => p.listing_id },
        { header: 'slug', get: (p) => p.slug },
        { header: 'service', get: (p) => p.service },
        { header: 'price', get: (p) => formatUsd(p.price_micro_cents) },
        { header: 'shield fee', get: (p) => formatUsd(p.shield_fee_micro_cents) },
      ]),
    );
    return prices;
  }
}
