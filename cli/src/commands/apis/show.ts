import { Args } from '@oclif/core';
import type { Listing } from '@proxygate-kit/sdk';
import { BaseCommand } from '../../lib/base-command.js';
import { createClient } from '../../lib/client.js';
import { formatUsd, renderKeyValues, renderTable } from '../../lib/format.js';

export default class ApisShow extends BaseCommand {
  static override summary = 'show one listing: price, rating, endpoints';
  static override examples = ['<%= config.bin %> apis show lst_weather01', '<%= config.bin %> apis show weather-now --json'];
  static override enableJsonFlag = true;
  static override args = { id: Args.string({ ignoreStdin: true, description: 'listing id (lst_…) or slug', required: true }) };

  async run(): Promise<Listing> {
    const { args, flags } = await this.parse(ApisShow);
    const listing = await (await createClient(await this.resolveAuth(flags))).catalog.get(args.id);
    this.out(
      `${renderKeyValues([
        ['id', listing.id],
        ['slug', listing.slug],
        ['name', listing.name],
        ['service', listing.service],
        ['category', listing.category],
        ['type', listing.type],
        ['price', `${formatUsd(listing.price_micro_cents)} per call`],
        ['shield fee', formatUsd(listing.shield_fee_micro_cents)],
        ['seller', listing.seller_id],
        ['verified', listing.verified ? 'yes' : 'no'],
        ['rating', `+${listing.rating.up} / -${listing.rating.down}`],
        ['latency', `${listing.avg_latency_ms} ms`],
        ['calls (30d)', listing.calls_30d],
      ])}\n\n${listing.description}\n\n${renderTable(listing.endpoints, [
        { header: 'method', get: (e) => e.method },
        { header: 'path', get: (e) => e.path },
        { header: 'stream', get: (e) => (e.streaming ? 'yes' : '') },
        { header: 'description', get: (e) => e.description },
      ])}`,
    );
    return listing;
  }
}
