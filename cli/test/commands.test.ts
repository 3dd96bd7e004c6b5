import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startInProcessMock } from './helpers/mock.js';
import { cli, isolatedEnv } from './helpers/run.js';

const { mock, server, origin } = startInProcessMock();
afterAll(() => server.close());

describe('catalog commands against the in-process mock', () => {
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: origin });
  });
  afterEach(() => env.restore());

  it('apis lists listings as a table and as JSON, with paging', async () => {
    const table = await cli(['apis']);
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+SLUG\s+SERVICE/);
    expect(table.stdout).toContain('weather-current');
    const page = await cli(['apis', '--limit', '2', '--json']);
    const body = JSON.parse(page.stdout);
    expect(body.data).toHaveLength(2);
    expect(body.has_more).toBe(true);
    const all = JSON.parse((await cli(['apis', '--all', '--limit', '2', '--json'])).stdout);
    const pricing = JSON.parse((await cli(['pricing', '--json'])).stdout);
    expect(all.data.length).toBe(pricing.length);
    expect(new Set(all.data.map((l: { id: string }) => l.id)).size).toBe(all.data.length);
    const next = JSON.parse((await cli(['apis', '--limit', '2', '--cursor', body.cursor, '--json'])).stdout);
    expect(next.data[0].id).not.toBe(body.data[0].id);
  });

  it('apis QUERY filters, apis show/docs read one listing', async () => {
    const found = JSON.parse((await cli(['apis', 'weather', '--json'])).stdout);
    expect(found.data.length).toBeGreaterThan(0);
    expect(found.data.every((l: { service: string; name: string; description: string }) => /weather/i.test(l.service + l.name + l.description))).toBe(true);
    const shown = await cli(['apis', 'show', 'weather-current']);
    expect(shown.exitCode).toBe(0);
    expect(shown.stdout).toContain('$0.002 per call');
    const docs = await cli(['apis', 'docs', 'weather-current']);
    expect(docs.stdout.length).toBeGreaterThan(20);
    const missing = await cli(['apis', 'show', 'no-such-listing']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/^listing_not_found: /);
  });

  it('pricing, services, categories', async () => {
    const pricing = JSON.parse((await cli(['pricing', '--json'])).stdout);
    expect(pricing.find((p: { slug: string }) => p.slug === 'weather-current')).toMatchObject({ price_micro_cents: 200_000 });
    expect((await cli(['services'])).stdout).toMatch(/^NAME\s+LISTINGS/);
    const categories = JSON.parse((await cli(['categories', '--json'])).stdout);
    expect(categories.length).toBeGreaterThan(0);
  });
});

describe('account and token commands', () => {
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: origin, PROXYGATE_API_KEY: mock.demoTokens.trader });
  });
  afterEach(() => env.restore());

  const noSecret = (r: { stdout: string; stderr: string }) => {
    expect(r.stdout).not.toContain(mock.demoTokens.trader);
    expect(r.stderr).not.toContain(mock.demoTokens.trader);
  };

  it('whoami shows the token, masked, and where it came from', async () => {
    const r = await cli(['whoami']);
    expect(r.exitCode).toBe(0);
    noSecret(r);
    expect(r.stdout).toContain(`…${mock.demoTokens.trader.slice(-4)}`);
    expect(r.stdout).toMatch(/key from\s+PROXYGATE_API_KEY/);
    const json = JSON.parse((await cli(['whoami', '--json'])).stdout);
    expect(json.scopes).toEqual(expect.arrayContaining(['trade', 'tokens:write']));
    expect(json.key_source).toBe('env');
  });

  it('balance, usage and rate', async () => {
    const balance = JSON.parse((await cli(['balance', '--json'])).stdout);
    expect(Number.isSafeInteger(balance.balance_micro_cents)).toBe(true);
    const call = JSON.parse((await cli(['call', 'weather-current', '/current', '--query', 'city=Oslo', '--json'])).stdout);
    const usage = JSON.parse((await cli(['usage', '--json'])).stdout);
    expect(usage.data[0].request_id).toBe(call.request_id);
    const rated = JSON.parse((await cli(['rate', call.request_id, '--up', '--json'])).stdout);
    expect(rated).toMatchObject({ request_id: call.request_id, is_positive: true });
    const after = JSON.parse((await cli(['balance', '--json'])).stdout);
    expect(balance.balance_micro_cents - after.balance_micro_cents).toBe(Number(call.cost_micro_cents));
  });

  it('tokens create prints the secret once on stdout, list and revoke', async () => {
    const created = await cli(['tokens', 'create', '--scope', 'catalog:read', '--scope', 'account:read', '--spend-cap', '0.50', '--expires', '1h', '--name', 'ci-reader']);
    expect(created.exitCode).toBe(0);
    noSecret(created);
    const child = created.stdout.trim();
    expect(child).toMatch(/^pg_del_/);
    expect(created.stderr).not.toContain(child);
    const listed = JSON.parse((await cli(['tokens', 'list', '--json'])).stdout);
    const entry = listed.find((t: { name: string | null }) => t.name === 'ci-reader');
    expect(entry).toMatchObject({ scopes: ['catalog:read', 'account:read'], spend_cap_micro_cents: 50_000_000 });
    const childWhoami = await cli(['whoami', '--api-key', child, '--json']);
    expect(JSON.parse(childWhoami.stdout).id).toBe(entry.id);
    expect(childWhoami.stdout + childWhoami.stderr).not.toContain(child);
    const revoked = JSON.parse((await cli(['tokens', 'revoke', entry.id, '--json'])).stdout);
    expect(revoked.revoked_at).not.toBeNull();
    const dead = await cli(['whoami', '--api-key', child]);
    expect(dead.exitCode).toBe(4);
  });

  it('usage date filters; a bad date is a usage error', async () => {
    await cli(['call', 'echo', '/echo']);
    const future = JSON.parse((await cli(['usage', '--from', '2999-01-01', '--json'])).stdout);
    expect(future.data).toEqual([]);
    const past = JSON.parse((await cli(['usage', '--to', '2000-01-01T00:00:00Z', '--json'])).stdout);
    expect(past.data).toEqual([]);
    const now = JSON.parse((await cli(['usage', '--from', '2000-01-01', '--all', '--json'])).stdout);
    expect(now.data.length).toBeGreaterThan(0);
    expect(now.total_cost_micro_cents).toBe(now.data.reduce((s: number, e: { cost_micro_cents: number; refunded: boolean }) => s + (e.refunded ? 0 : e.cost_micro_cents), 0));
    expect((await cli(['usage', '--from', 'last tuesday'])).exitCode).toBe(2);
  });

  it('tokens create --save-profile stores the child instead of printing it', async () => {
    const r = await cli(['tokens', 'create', '--scope', 'catalog:read', '--save-profile', 'agent', '--json']);
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.token).toMatch(/^pg_del_…/);
    expect(out.saved_profile).toBe('agent');
    delete process.env['PROXYGATE_API_KEY'];
    const who = JSON.parse((await cli(['whoami', '--profile', 'agent', '--json'])).stdout);
    expect(who).toMatchObject({ id: out.info.id, scopes: ['catalog:read'], key_source: 'profile' });
    expect((await cli(['tokens', 'create', '--scope', 'trade', '--spend-cap', 'lots'])).exitCode).toBe(2);
  });

  it('insufficient scope exits 3 and names the scope', async () => {
    process.env['PROXYGATE_API_KEY'] = mock.demoTokens.readOnly;
    const r = await cli(['tokens', 'list']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/^insufficient_scope: .*tokens:write/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toContain(mock.demoTokens.readOnly);
  });

  it('an invalid key exits 4', async () => {
    process.env['PROXYGATE_API_KEY'] = `pg_live_${'0'.repeat(32)}`;
    const r = await cli(['balance']);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).not.toContain('0'.repeat(32));
  });

  it('escape hatch: api GET with --include and --json', async () => {
    const r = await cli(['api', 'GET', '/v1/balance', '--include']);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveProperty('balance_micro_cents');
    expect(r.stderr).toMatch(/^HTTP 200/);
    const q = JSON.parse((await cli(['api', 'get', '/v1/apis', '--query', 'limit=1', '--json'])).stdout);
    expect(q.data).toHaveLength(1);
    const everything = JSON.parse((await cli(['api', 'GET', '/v1/apis', '--query', 'limit=3', '--paginate', '--json'])).stdout);
    const pricing = JSON.parse((await cli(['pricing', '--json'])).stdout);
    expect(everything).toHaveLength(pricing.length);
    expect((await cli(['api', 'GET', '/v1/balance', '--paginate'])).exitCode).toBe(2);
    const missing = await cli(['api', 'GET', '/v1/apis/no-such-listing']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/^listing_not_found: /);
  });
});
