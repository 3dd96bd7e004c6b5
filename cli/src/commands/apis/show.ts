import { Args } from '@oclif/core';
import type { Listing } from '@proxygate-kit/sdk';
import { BaseCommand } from '../../lib/base-command.js';
import { listingDetails } from '../../lib/catalog-render.js';
import { createClient } from '../../lib/client.js';
import { loadSdk } from '../../lib/sdk-loader.js';

export const LISTING_REF_DESCRIPTION = 'listing id (UUID), SELLER/SLUG, slug, or service name';

export default class ApisShow extends BaseCommand {
  static override summary = 'show one listing: prices, availability, seller, endpoints';
  static override description = `REF is a listing id (UUID), SELLER/SLUG, a slug, or a service name (slug first, then service).
A reference that matches several listings (a slug is unique per seller only; a service has many
listings) is not guessed: the command lists the candidates and exits 2.`;
  static override examples = [
    '<%= config.bin %> apis show weather-current',
    '<%= config.bin %> apis show seekr/web-search --json',
    '<%= config.bin %> apis show 0c24c9ee-a18d-52a6-b405-d0c143cb7cb3',
  ];
  static override enableJsonFlag = true;
  static override args = { ref: Args.string({ ignoreStdin: true, description: LISTING_REF_DESCRIPTION, required: true }) };

  async run(): Promise<Listing> {
    const { args, flags } = await this.parse(ApisShow);
    const listing = await (await createClient(await this.resolveAuth(flags))).catalog.get(args.ref);
    const sdk = await loadSdk();
    this.out(listingDetails(sdk, listing, sdk.SHIELD_SURCHARGE_MICRO_USD));
    return listing;
  }
}
