// `tokens create`, `tokens list`, `tokens revoke` on the extended profile: the secret printed once, caps in
// exact micro-USD, --save-profile, scopes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useInProcessMock } from '../../helpers/mock.js';
import { cli, isolatedEnv } from '../../helpers/run.js';

describe('token commands (extension: the extended profile serves them)', () => {
  const ctx = useInProcessMock('cli-tokens');
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: ctx.origin, PROXYGATE_API_KEY: ctx.mock.demoTokens.trader });
  });
  afterEach(() => env.restore());

  it('tokens create prints the secret once on stdout (cap in USD, listing by slug), list and revoke', async () => {
    const created = await cli(['tokens', 'create', '--scope', 'catalog:read', '--scope', 'account:read', '--spend-cap', '0.50', '--expires', '1h', '--name', 'ci-reader', '--listing', 'weather-current']);
    expect(created.exitCode).toBe(0);
    expect(created.stdout + created.stderr).not.toContain(ctx.mock.demoTokens.trader);
    const child = created.stdout.trim();
    expect(child).toMatch(/^pg_del_/);
    expect(created.stderr).not.toContain(child);
    expect(created.stderr).toMatch(/spend cap\s+\$0\.50/);
    const listed = JSON.parse((await cli(['tokens', 'list', '--json'])).stdout);
    const entry = listed.data.find((t: { name: string | null }) => t.name === 'ci-reader');
    expect(entry).toMatchObject({ scopes: ['catalog:read', 'account:read'], spend_cap_micro_usd: 500_000, listings: [ctx.mock.gateway.listing('weather-current').id] });
    const childWhoami = await cli(['whoami', '--api-key', child, '--json']);
    expect(JSON.parse(childWhoami.stdout).token.id).toBe(entry.id);
    expect(childWhoami.stdout + childWhoami.stderr).not.toContain(child);
    const revoked = JSON.parse((await cli(['tokens', 'revoke', entry.id, '--json'])).stdout);
    expect(revoked.revoked_at).not.toBeNull();
    expect((await cli(['whoami', '--api-key', child])).exitCode).toBe(4);
  });

  it('--spend-cap takes at most 6 decimals (exact micro-USD) and no negative amount', async () => {
    for (const cap of ['0.0000001', '-1', 'lots']) {
      const r = await cli(['tokens', 'create', '--scope', 'trade', '--spend-cap', cap]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/^usage_error: --spend-cap /);
    }
    const exact = JSON.parse((await cli(['tokens', 'create', '--scope', 'trade', '--spend-cap', '$0.000001', '--json'])).stdout);
    expect(exact.info.spend_cap_micro_usd).toBe(1);
  });

  it('tokens create --save-profile stores the child instead of printing it', async () => {
    const r = await cli(['tokens', 'create', '--scope', 'catalog:read', '--save-profile', 'agent', '--json']);
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.token).toMatch(/^pg_del_…/);
    expect(out.saved_profile).toBe('agent');
    delete process.env['PROXYGATE_API_KEY'];
    const who = JSON.parse((await cli(['whoami', '--profile', 'agent', '--json'])).stdout);
    expect(who).toMatchObject({ token: { id: out.info.id }, scopes: ['catalog:read'], key_source: 'profile' });
  });

  it('insufficient scope exits 3 and names the scope', async () => {
    process.env['PROXYGATE_API_KEY'] = ctx.mock.demoTokens.readOnly;
    const r = await cli(['tokens', 'list']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/^insufficient_scope: .*tokens:write/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toContain(ctx.mock.demoTokens.readOnly);
  });
});
