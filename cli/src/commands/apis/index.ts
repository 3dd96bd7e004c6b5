import { Args, Errors, Flags } from '@oclif/core';
import type { CatalogListParams, Listing, ListingSort } from '@proxygate-kit/sdk';
import { BaseCommand } from '../../lib/base-command.js';
import { listingTable } from '../../lib/catalog-render.js';
import { createClient } from '../../lib/client.js';
import { guessCommandLine } from '../../lib/help-suggest.js';
import { compact } from '../../lib/format.js';
import { loadMoney, parseUsdFlag } from '../../lib/money.js';
import { listJson, listPages, moreHint, type ListJson } from '../../lib/pages.js';

const SORTS = ['price_asc', 'price_desc', 'popular', 'newest', 'fastest', 'best_rated'] as const;

/** A decimal number as people write it (`99.5`, `.5`, `5.`, `1e2`): no hex, no `Infinity`, no blank. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * A percentage from 0 to 100 (any decimal form), as GET /v1/apis takes min_uptime, min_rating and
 * min_trust_score. Checked here, as --max-latency is: a filter the gateway cannot read is ignored,
 * and every listing comes back as if it matched. Sent as plain decimal text (`.5` as `0.5`, `1e2`
 * as `100`), the form the gateway documents.
 */
const percent = Flags.custom<string>({
  parse: async (input) => {
    const value = Number(input);
    if (!DECIMAL.test(input) || !Number.isFinite(value) || value < 0 || value > 100) {
      throw new Errors.CLIError(`Expected a number from 0 to 100 but received: ${input}`);
    }
    const text = String(value === 0 ? 0 : value);
    // String() writes values below 1e-6 with an exponent; 20 places are more than any filter needs.
    return text.includes('e') ? value.toFixed(20).replace(/\.?0+$/, '') : text;
  },
});

export default class Apis extends BaseCommand {
  static override summary = 'search the catalog of paid APIs';
  static override description = `Every filter of the gateway's GET /v1/apis. Prices are what the buyer pays (platform fee
included), exact in USD: per request, or per million tokens for per-token (LLM) listings.
A listing is named SELLER/SLUG (a slug is unique per seller only) or by its id.`;
  static override examples = [
    '<%= config.bin %> apis weather',
    '<%= config.bin %> apis --category finance --sort price_asc --limit 5',
    '<%= config.bin %> apis --max-price 0.002 --verified',
    '<%= config.bin %> apis --all --json',
  ];
  static override enableJsonFlag = true;
  static override args = { query: Args.string({ ignoreStdin: true, description: 'free-text search (service, name, description)', required: false }) };
  static override flags = {
    service: Flags.string({ description: 'only listings of this service' }),
    category: Flags.string({ description: 'only listings in these categories (comma-separated slugs)' }),
    seller: Flags.string({ description: "only this seller's listings (seller slug)" }),
    slug: Flags.string({ description: 'only listings with this slug' }),
    sort: Flags.string({ description: 'order of results', options: [...SORTS] }),
    verified: Flags.boolean({ description: 'only verified sellers' }),
    streaming: Flags.boolean({ description: 'only listings that stream their answers' }),
    type: Flags.string({ description: 'listing type (api or tunnel)' }),
    'pricing-model': Flags.string({ description: 'only this pricing model', options: ['per_request', 'per_token'] }),
    'max-price': Flags.string({ description: 'only listings whose buyer price per request is at most this many USD' }),
    'max-latency': Flags.integer({ description: 'only listings whose average latency is at most this many ms', min: 0 }),
    'min-uptime': percent({ description: 'only listings with at least this uptime (percent)' }),
    'min-rating': percent({ description: 'only listings rated at least this (percent positive)' }),
    'min-trust-score': percent({ description: 'only sellers with at least this trust score (0..100)' }),
    badges: Flags.string({ description: 'only sellers carrying these badges (comma-separated)' }),
    'auth-pattern': Flags.string({ description: "only listings whose upstream uses this auth pattern (api_key, bearer, ...)" }),
    limit: Flags.integer({ description: 'page size (1..100)', min: 1, max: 100, default: 20 }),
    cursor: Flags.string({ description: 'start from this cursor (printed after a page with more results)' }),
    all: Flags.boolean({ description: 'follow cursors through every page' }),
  };

  async run(): Promise<ListJson<Listing>> {
    const { args, flags } = await this.parse(Apis);
    const maxPrice = flags['max-price'] === undefined ? undefined : await parseUsdFlag('max-price', flags['max-price']);
    const client = await createClient(await this.resolveAuth(flags));
    // The wire takes strings; the SDK writes numbers and booleans as their text.
    const params: CatalogListParams = compact({
      q: args.query,
      service: flags.service,
      category: flags.category,
      seller_slug: flags.seller,
      slug: flags.slug,
      sort: flags.sort as ListingSort | undefined,
      verified: flags.verified ? true : undefined,
      supports_streaming: flags.streaming ? true : undefined,
      type: flags.type,
      pricing_model: flags['pricing-model'],
      max_price: maxPrice,
      max_latency: flags['max-latency'],
      min_uptime: flags['min-uptime'],
      min_rating: flags['min-rating'],
      min_trust_score: flags['min-trust-score'],
      badges: flags.badges,
      auth_pattern: flags['auth-pattern'],
      limit: flags.limit,
      cursor: flags.cursor,
    });
    const listed = await listPages(client.catalog.list(params), flags.all);
    const money = await loadMoney();
    this.out(listed.items.length ? listingTable(money, listed.items) : 'No listings match.');
    // `apis shwo`: a search for a typo of a subcommand finds nothing; say what was probably meant.
    const meant = listed.items.length === 0 && args.query ? guessCommandLine(['apis', args.query], ['apis:show', 'apis:docs'], []).suggestions : [];
    if (meant.length > 0) this.note(`"${args.query}" is searched for as text; did you mean "${this.config.bin} ${meant[0]}"?`);
    const more = moreHint(listed);
    if (more) this.note(more);
    return listJson(listed);
  }
}
