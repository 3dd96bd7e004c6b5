// The catalog and account commands against both mock profiles, and the extension commands refused on
// the public one (the tokens commands are in commands/tokens/).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_BALANCE_MICRO_USD } from '@proxygate-kit/server-mock';
import { useInProcessMock, type MockProfile } from './helpers/mock.js';
import { buyerPrice, callCost, usd } from './helpers/prices.js';
import { cli, isolatedEnv } from './helpers/run.js';

// Both profiles serve the same catalog and ledger: what the public wire offers behaves alike.
describe.each<MockProfile>(['extended', 'public'])('against the %s profile (in-process)', (profile) => {
  const ctx = useInProcessMock(`cli-commands-${profile}`, profile);

  describe('catalog commands', () => {
    let env: Awaited<ReturnType<typeof isolatedEnv>>;
    beforeEach(async () => {
      env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: ctx.origin });
    });
    afterEach(() => env.restore());

    it('apis lists listings as a table (SELLER/SLUG, id, USD price) and as JSON, with paging', async () => {
      const table = await cli(['apis']);
      expect(table.exitCode).toBe(0);
      expect(table.stdout).toMatch(/^LISTING\s+ID\s+SERVICE\s+PRICE/);
      const weather = ctx.mock.gateway.listing('skycast/weather-current');
      expect(table.stdout).toMatch(new RegExp(`skycast/weather-current\\s+${weather.id}\\s+weather\\s+\\${usd(buyerPrice(ctx.mock, 'skycast/weather-current'))}\\s`));
      // Per-token prices are shown per million tokens, platform fee included (5%: $2 -> $2.10).
      expect(table.stdout).toMatch(/lingua\/chat-completions .*\$2\.10\/M in, \$8\.40\/M out/);
      const page = JSON.parse((await cli(['apis', '--limit', '2', '--json'])).stdout);
      expect(page.data).toHaveLength(2);
      expect(page.has_more).toBe(true);
      const all = JSON.parse((await cli(['apis', '--all', '--limit', '3', '--json'])).stdout);
      expect(all).toMatchObject({ has_more: false, cursor: null });
      expect(new Set(all.data.map((l: { listing_id: string }) => l.listing_id)).size).toBe(all.data.length);
      expect(all.data.length).toBeGreaterThan(3);
      const next = JSON.parse((await cli(['apis', '--limit', '2', '--cursor', page.cursor, '--json'])).stdout);
      expect(next.data[0].listing_id).not.toBe(page.data[0].listing_id);
      // The SDK's integer prices travel with every wire field.
      const row = all.data.find((l: { slug: string; seller_slug: string }) => l.seller_slug === 'skycast' && l.slug === 'weather-current');
      expect(row.prices.perRequest).toBe(buyerPrice(ctx.mock, 'skycast/weather-current'));
    });

    it('apis filters: query, --service, --max-price in USD (exact micro-USD on the wire), --verified', async () => {
      const found = JSON.parse((await cli(['apis', 'weather', '--json'])).stdout);
      expect(found.data.length).toBeGreaterThan(0);
      expect(found.data.every((l: { service: string; service_name: string; description: string }) => /weather/i.test(l.service + l.service_name + l.description))).toBe(true);
      const service = JSON.parse((await cli(['apis', '--service', 'search', '--json'])).stdout);
      expect(service.data.map((l: { seller_slug: string }) => l.seller_slug).sort()).toEqual(['findly', 'seekr']);
      const cap = buyerPrice(ctx.mock, 'skycast/weather-current');
      const cheap = JSON.parse((await cli(['apis', '--max-price', (cap / 1e6).toFixed(6), '--all', '--json'])).stdout);
      expect(cheap.data.length).toBeGreaterThan(0);
      expect(cheap.data.every((l: { prices: { perRequest: number | null } }) => l.prices.perRequest !== null && l.prices.perRequest <= cap)).toBe(true);
      expect(cheap.data.some((l: { prices: { perRequest: number } }) => l.prices.perRequest === cap)).toBe(true);
      const verified = JSON.parse((await cli(['apis', '--verified', '--all', '--json'])).stdout);
      expect(verified.data.length).toBeGreaterThan(0);
      expect(verified.data.every((l: { is_verified: boolean }) => l.is_verified)).toBe(true);
      expect((await cli(['apis', '--max-price', '0.0000001'])).exitCode).toBe(2);
    });

    it('apis show by slug, SELLER/SLUG and id; an ambiguous slug lists the candidates and exits 2', async () => {
      const weather = ctx.mock.gateway.listing('skycast/weather-current');
      const shown = await cli(['apis', 'show', 'weather-current']);
      expect(shown.exitCode).toBe(0);
      expect(shown.stdout).toMatch(new RegExp(`^price\\s+\\${usd(buyerPrice(ctx.mock, 'weather-current'))} per request \\(platform fee 5% included; seller \\$0\\.001\\)$`, 'm'));
      expect(shown.stdout).toMatch(/^shield\s+\+\$0\.005 per call unless --shield off$/m);
      // The endpoint with its own price: $0.002 seller -> $0.0021 with the fee.
      expect(shown.stdout).toMatch(/^GET\s+\/forecast\s+\$0\.0021\s/m);
      expect(JSON.parse((await cli(['apis', 'show', weather.id, '--json'])).stdout).slug).toBe('weather-current');
      expect(JSON.parse((await cli(['apis', 'show', 'skycast/weather-current', '--json'])).stdout).listing_id).toBe(weather.id);
      const ambiguous = await cli(['apis', 'show', 'web-search']);
      expect(ambiguous.exitCode).toBe(2);
      expect(ambiguous.stderr).toMatch(/^ambiguous_listing: .*findly\/web-search.*seekr\/web-search.*\(pass one of them as SELLER\/SLUG or by its listing id\)\n$/);
      const json = JSON.parse((await cli(['apis', 'show', 'web-search', '--json'])).stdout);
      expect(json.error.candidates.map((c: { seller_slug: string }) => c.seller_slug).sort()).toEqual(['findly', 'seekr']);
      expect(json.error.exit_code).toBe(2);
      const picked = JSON.parse((await cli(['apis', 'show', 'seekr/web-search', '--json'])).stdout);
      expect(picked.seller_slug).toBe('seekr');
      const missing = await cli(['apis', 'show', 'no-such-listing']);
      expect(missing.exitCode).toBe(1);
      expect(missing.stderr).toMatch(/^listing_not_found: /);
    });

    it('apis docs prints the content as published, by slug or id', async () => {
      const weather = ctx.mock.gateway.listing('skycast/weather-current');
      const docs = await cli(['apis', 'docs', 'weather-current']);
      expect(docs.exitCode).toBe(0);
      expect(docs.stderr).toMatch(/^openapi documentation of /);
      const json = JSON.parse((await cli(['apis', 'docs', weather.id, '--json'])).stdout);
      expect(json).toMatchObject({ listing_id: weather.id, doc_type: 'openapi' });
      expect(docs.stdout.trim()).toBe(json.content.trim());
    });

    it('pricing, services, categories: tables in USD, paginated with --limit/--cursor/--all', async () => {
      const pricing = JSON.parse((await cli(['pricing', '--all', '--json'])).stdout);
      const echo = pricing.data.find((s: { service: string }) => s.service === 'echo');
      expect(echo.price_per_request_micro_cents).toBe(ctx.mock.gateway.listing('echo').price);
      expect((await cli(['pricing'])).stdout).toMatch(new RegExp(`^echo\\s+Echo\\s+per request\\s+\\${usd(ctx.mock.gateway.listing('echo').price ?? 0)}\\s`, 'm'));
      expect((await cli(['pricing'])).stdout).toMatch(/^llm\s+.*\$2\.00\/M\s+\$8\.00\/M/m);
      const services = await cli(['services']);
      expect(services.stdout).toMatch(/^SERVICE\s+NAME\s+SELLERS\s+CHEAPEST/);
      expect(services.stdout).toMatch(new RegExp(`^echo\\s+Echo\\s+1\\s+\\${usd(buyerPrice(ctx.mock, 'echo'))}\\s`, 'm'));
      const first = JSON.parse((await cli(['categories', '--limit', '2', '--json'])).stdout);
      expect(first.data).toHaveLength(2);
      expect(first.has_more).toBe(true);
      const second = JSON.parse((await cli(['categories', '--limit', '2', '--cursor', first.cursor, '--json'])).stdout);
      expect(second.data[0].slug).not.toBe(first.data[0].slug);
      const all = JSON.parse((await cli(['categories', '--all', '--limit', '2', '--json'])).stdout);
      expect(all.data.length).toBeGreaterThan(3);
      expect(all.data.map((c: { slug: string }) => c.slug)).toEqual(expect.arrayContaining([first.data[0].slug, second.data[0].slug]));
      const table = await cli(['categories', '--limit', '2']);
      expect(table.stdout).toMatch(/^SLUG\s+NAME\s+LISTINGS\s+SUBCATEGORIES/);
      expect(table.stderr).toContain(`More results: --cursor ${first.cursor}`);
    });
  });

  describe('account commands', () => {
    let env: Awaited<ReturnType<typeof isolatedEnv>>;
    beforeEach(async () => {
      ctx.mock.gateway.reset();
      env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: ctx.origin, PROXYGATE_API_KEY: ctx.mock.demoTokens.trader });
    });
    afterEach(() => env.restore());

    const noSecret = (r: { stdout: string; stderr: string }) => {
      expect(r.stdout).not.toContain(ctx.mock.demoTokens.trader);
      expect(r.stderr).not.toContain(ctx.mock.demoTokens.trader);
    };

    it('whoami: the account from /v1/me, the key masked, and where the scopes came from', async () => {
      const r = await cli(['whoami']);
      expect(r.exitCode).toBe(0);
      noSecret(r);
      expect(r.stdout).toContain(`…${ctx.mock.demoTokens.trader.slice(-4)}`);
      expect(r.stdout).toMatch(/key from\s+PROXYGATE_API_KEY/);
      const json = JSON.parse((await cli(['whoami', '--json'])).stdout);
      expect(json.account.wallet).toMatch(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/);
      expect(json.key_source).toBe('env');
      if (profile === 'extended') {
        expect(json).toMatchObject({ scopes_source: 'token_introspection', scopes: expect.arrayContaining(['trade', 'tokens:write']) });
        expect(json.token.id).toMatch(/^tok_/);
      } else {
        // The public gateway has no introspection; a pg_live_ key carries no claim.
        expect(json).toMatchObject({ token: null, scopes: null, scopes_source: 'unknown' });
        expect(r.stdout).toMatch(/token\s+not introspected: this gateway does not advertise token introspection/);
        const capped = JSON.parse((await cli(['whoami', '--api-key', ctx.mock.demoTokens.capped, '--json'])).stdout);
        expect(capped).toMatchObject({ scopes_source: 'token_claim', scopes: expect.arrayContaining(['proxy']) });
      }
    });

    it('balance: available, pending settlement and balance, exact to the micro-USD', async () => {
      const before = await cli(['balance']);
      expect(before.exitCode).toBe(0);
      expect(before.stdout).toBe(`available           ${usd(DEMO_BALANCE_MICRO_USD)}\npending settlement  $0.00\nbalance             ${usd(DEMO_BALANCE_MICRO_USD)}\n`);
      const call = JSON.parse((await cli(['call', 'weather-current', '/current', '--query', 'city=Oslo', '--json'])).stdout);
      const cost = callCost(ctx.mock, 'skycast/weather-current');
      expect(call.cost_micro_usd).toBe(cost);
      const after = JSON.parse((await cli(['balance', '--json'])).stdout);
      expect(after).toMatchObject({ balance: DEMO_BALANCE_MICRO_USD, pending_settlement: cost, available: DEMO_BALANCE_MICRO_USD - cost, currency: 'lamports' });
      expect((await cli(['balance'])).stdout).toContain(`pending settlement  ${usd(cost)}\n`);
    });

    it('usage: rows and the summary, in USD; rate reports what the gateway says', async () => {
      const call = JSON.parse((await cli(['call', 'weather-current', '/current', '--query', 'city=Oslo', '--json'])).stdout);
      await cli(['call', 'echo', '/echo']);
      const usage = JSON.parse((await cli(['usage', '--json'])).stdout);
      expect(usage.data).toHaveLength(2);
      expect(usage.data[1]).toMatchObject({ service: 'weather', path: '/current', cost_micro_cents: callCost(ctx.mock, 'skycast/weather-current') });
      expect(usage.summary).toEqual(
        expect.arrayContaining([expect.objectContaining({ service: 'weather', request_count: 1, total_cost_micro_cents: callCost(ctx.mock, 'skycast/weather-current') })]),
      );
      expect(usage.total_cost_micro_usd).toBe(callCost(ctx.mock, 'skycast/weather-current') + callCost(ctx.mock, 'echo'));
      const table = await cli(['usage', '--service', 'weather']);
      expect(table.stdout).toMatch(new RegExp(`weather\\s+/current\\s+-\\s+200\\s+\\${usd(callCost(ctx.mock, 'skycast/weather-current'))}\\s`));
      expect(table.stdout).toMatch(new RegExp(`^SUMMARY \\(whole range\\)\\nSERVICE\\s+MODEL\\s+CALLS\\s+TOTAL\\nweather\\s+-\\s+1\\s+\\${usd(callCost(ctx.mock, 'skycast/weather-current'))}$`, 'm'));
      expect(table.stderr).toContain(`1 call(s) listed, total ${usd(callCost(ctx.mock, 'skycast/weather-current'))}`);
      const first = await cli(['rate', call.request_id, '--up']);
      expect(first.stdout).toBe(`Rated ${call.request_id} up: new rating recorded\n`);
      const again = JSON.parse((await cli(['rate', call.request_id, '--down', '--json'])).stdout);
      expect(again).toMatchObject({ success: true, is_update: true, is_positive: false, request_id: call.request_id });
    });

    it('usage date filters (inclusive; a plain --to date means through that day); a bad date is a usage error', async () => {
      await cli(['call', 'echo', '/echo']);
      expect(JSON.parse((await cli(['usage', '--from', '2999-01-01', '--json'])).stdout).data).toEqual([]);
      expect(JSON.parse((await cli(['usage', '--to', '2000-01-01T00:00:00Z', '--json'])).stdout).data).toEqual([]);
      const now = JSON.parse((await cli(['usage', '--from', '2000-01-01', '--all', '--json'])).stdout);
      expect(now.data.length).toBe(1);
      const day = (now.data[0].created_at as string).slice(0, 10);
      expect(JSON.parse((await cli(['usage', '--from', day, '--to', day, '--json'])).stdout).data).toHaveLength(1);
      expect((await cli(['usage', '--from', 'last tuesday'])).exitCode).toBe(2);
    });

    it('an invalid key exits 4, never echoing it', async () => {
      process.env['PROXYGATE_API_KEY'] = `pg_live_${'0'.repeat(32)}`;
      const r = await cli(['balance']);
      expect(r.exitCode).toBe(4);
      expect(r.stderr).not.toContain('0'.repeat(32));
    });

    it('escape hatch: api GET with --include, --json and --paginate over the route\'s own items key', async () => {
      const r = await cli(['api', 'GET', '/v1/balance', '--include']);
      expect(r.exitCode).toBe(0);
      expect(JSON.parse(r.stdout)).toHaveProperty('available');
      expect(r.stderr).toMatch(/^HTTP 200/);
      const q = JSON.parse((await cli(['api', 'get', '/v1/apis', '--query', 'limit=1', '--json'])).stdout);
      expect(q.data).toHaveLength(1);
      const everything = JSON.parse((await cli(['api', 'GET', '/v1/apis', '--query', 'limit=3', '--paginate', '--json'])).stdout);
      const all = JSON.parse((await cli(['apis', '--all', '--json'])).stdout);
      expect(everything).toHaveLength(all.data.length);
      const categories = JSON.parse((await cli(['api', 'GET', '/v1/categories', '--query', 'limit=2', '--paginate', '--json'])).stdout);
      expect(categories.length).toBe(JSON.parse((await cli(['categories', '--all', '--json'])).stdout).data.length);
      expect((await cli(['api', 'GET', '/v1/balance', '--paginate'])).exitCode).toBe(2);
      const missing = await cli(['api', 'GET', '/v1/apis/no-such-listing/docs']);
      expect(missing.exitCode).toBe(1);
      expect(missing.stderr).toMatch(/^invalid_listing_id: /);
    });
  });
});

describe('extensions on the public profile', () => {
  const ctx = useInProcessMock('cli-public-extensions', 'public');
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: ctx.origin, PROXYGATE_API_KEY: ctx.mock.demoTokens.trader });
  });
  afterEach(() => env.restore());

  it('tokens and receipts log say the gateway does not serve them (exit 1) and send nothing', async () => {
    const before = ctx.mock.ledger().length;
    for (const args of [['tokens', 'list'], ['tokens', 'create', '--scope', 'trade'], ['tokens', 'revoke', 'tok_x'], ['receipts', 'log']]) {
      const r = await cli(args);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/^extension_not_supported: this gateway does not serve .+ \(its GET \/health does not advertise the "(tokens|receipt_log)" extension\); nothing was sent \(/);
    }
    expect((await cli(['tokens', 'list'])).stderr).toContain("mint delegation tokens in the gateway's web app");
    expect(ctx.mock.ledger()).toHaveLength(before);
  });

  it('a key without the spending scope gets 403 forbidden: exit 3 naming the likely scope', async () => {
    process.env['PROXYGATE_API_KEY'] = ctx.mock.demoTokens.readOnly;
    const r = await cli(['call', 'echo', '/echo']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/^forbidden: .*\(use a token with the .*"proxy".* scope\)\n$/);
  });
});
