import { Args, Flags } from '@oclif/core';
import type { Listing } from '@proxygate-kit/sdk';
import { BaseCommand } from '../../lib/base-command.js';
import { listingTable } from '../../lib/catalog-render.js';
import { createClient } from '../../lib/client.js';
import { compact } from '../../lib/format.js';
import { startSpinner } from '../../lib/terminal.js';

const SORTS = ['price_asc', 'price_desc', 'popular', 'newest', 'fastest', 'best_rated'] as const;

export default class Apis extends BaseCommand {
  static override summary = 'search the catalog of paid APIs';
  static override examples = [
    '<%= config.bin %> apis weather',
    '<%= config.bin %> apis --category finance --sort price_asc --limit 5',
    '<%= config.bin %> apis --all --json',
  ];
  static override enableJsonFlag = true;
  static override args = { query: Args.string({ ignoreStdin: true, description: 'free-text search', required: false }) };
  static override flags = {
    service: Flags.string({ description: 'only listings of this service' }),
    category: Flags.string({ description: 'only listings in this category' }),
    sort: Flags.string({ description: 'order of results', options: [...SORTS] }),
    verified: Flags.boolean({ description: 'only verified sellers' }),
    type: Flags.string({ description: 'only REST or streaming (SSE) listings', options: ['rest', 'sse'] }),
    limit: Flags.integer({ description: 'page size (1..100)', min: 1, max: 100, default: 20 }),
    cursor: Flags.string({ description: 'start from this cursor (printed after a page with more results)' }),
    all: Flags.boolean({ description: 'follow cursors through every page' }),
  };

  async run(): Promise<{ data: Listing[]; cursor: string | null; has_more: boolean }> {
    const { args, flags } = await this.parse(Apis);
    const client = await createClient(await this.resolveAuth(flags));
    const pages = client.catalog.list(compact({
      q: args.query,
      service: flags.service,
      category: flags.category,
      sort: flags.sort as (typeof SORTS)[number] | undefined,
      verified: flags.verified ? true : undefined,
      type: flags.type as 'rest' | 'sse' | undefined,
      limit: flags.limit,
      cursor: flags.cursor,
    }));
    let result: { data: Listing[]; cursor: string | null; has_more: boolean };
    if (flags.all) {
      const data: Listing[] = [];
      const spinner = startSpinner('fetching every page');
      try {
        for await (const listing of pages) data.push(listing);
      } finally {
        spinner.stop();
      }
      result = { data, cursor: null, has_more: false };
    } else {
      const page = await pages;
      result = { data: page.data, cursor: page.cursor, has_more: page.hasNextPage() };
    }
    this.out(result.data.length ? listingTable(result.data) : 'No listings match.');
    if (result.has_more && result.cursor) this.note(`More results: --cursor ${result.cursor} (or --all)`);
    return result;
  }
}
