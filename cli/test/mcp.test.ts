import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useInProcessMock } from './helpers/mock.js';
import { cli, isolatedEnv } from './helpers/run.js';

describe('mcp commands', () => {
  const ctx = useInProcessMock('cli-mcp');
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: ctx.origin, PROXYGATE_API_KEY: ctx.mock.demoTokens.trader });
  });
  afterEach(() => env.restore());

  it('mcp tools lists the seven gateway tools and saves their pins', async () => {
    const pins = join(env.dir, 'pins.json');
    const r = await cli(['mcp', 'tools', '--save-pins', pins]);
    expect(r.exitCode).toBe(0);
    for (const name of ['browse_apis', 'describe_endpoint', 'call_api', 'check_balance', 'get_pricing', 'get_usage', 'rate_seller']) {
      expect(r.stdout).toContain(name);
    }
    const saved = JSON.parse(await readFile(pins, 'utf8'));
    expect(Object.keys(saved.tools)).toHaveLength(7);
    expect(r.stdout + r.stderr).not.toContain(ctx.mock.demoTokens.trader);
    // Pinned and unchanged: fine. A tampered pin (a changed tool): refused, exit 1.
    expect((await cli(['mcp', 'call', 'get_pricing', '--pins', pins])).exitCode).toBe(0);
    saved.tools.call_api = '0'.repeat(64);
    await writeFile(pins, JSON.stringify(saved));
    const refused = await cli(['mcp', 'call', 'get_pricing', '--pins', pins]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/^tool_pin_mismatch: .*call_api/);
  });

  it('mcp call runs a tool with typed --arg values; anonymous browsing works', async () => {
    const r = await cli(['mcp', 'call', 'check_balance', '--json']);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).structuredContent).toMatchObject({ available: expect.any(Number), currency: 'lamports' });
    delete process.env['PROXYGATE_API_KEY'];
    const browse = await cli(['mcp', 'call', 'browse_apis', '--arg', 'q=weather', '--arg', 'limit=2', '--json']);
    expect(browse.exitCode).toBe(0);
    expect(JSON.stringify(JSON.parse(browse.stdout).structuredContent)).toContain('weather');
  });

  it('a read-only token calling a spending tool exits 3', async () => {
    process.env['PROXYGATE_API_KEY'] = ctx.mock.demoTokens.readOnly;
    const r = await cli(['mcp', 'call', 'call_api', '--arg', `listing_id=${ctx.mock.gateway.listing('echo').id}`, '--arg', 'path=/echo']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/^insufficient_scope: /);
  });

  it('an unknown tool name is a usage error (2) that says where the list is', async () => {
    const r = await cli(['mcp', 'call', 'browse_api']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe('usage_error: the gateway has no MCP tool "browse_api" (run "proxygate mcp tools" for the list)');
  });

  it('mcp config prints a snippet that reads the token from the environment', async () => {
    const r = await cli(['mcp', 'config', '--json']);
    const snippet = JSON.parse(r.stdout);
    expect(snippet.mcpServers.proxygate).toMatchObject({ type: 'http', url: `${ctx.origin}/mcp` });
    expect(r.stdout).toContain('${PROXYGATE_API_KEY}');
    expect(r.stdout).not.toContain(ctx.mock.demoTokens.trader);
    const code = await cli(['mcp', 'config', '--client', 'claude-code']);
    expect(code.stdout).toMatch(/^claude mcp add --transport http proxygate /);
  });
});

describe('mcp commands against the public profile', () => {
  const ctx = useInProcessMock('cli-mcp-public', 'public');
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: ctx.origin, PROXYGATE_API_KEY: ctx.mock.demoTokens.trader });
  });
  afterEach(() => env.restore());

  it('lists the same tools, reads the balance, and a key without "proxy" calling a spending tool exits 3', async () => {
    expect(JSON.parse((await cli(['mcp', 'tools', '--json'])).stdout)).toHaveLength(7);
    const balance = JSON.parse((await cli(['mcp', 'call', 'check_balance', '--json'])).stdout);
    expect(balance.structuredContent).toMatchObject({ available: expect.any(Number), currency: 'lamports' });
    process.env['PROXYGATE_API_KEY'] = ctx.mock.demoTokens.readOnly;
    const r = await cli(['mcp', 'call', 'call_api', '--arg', `listing_id=${ctx.mock.gateway.listing('echo').id}`, '--arg', 'path=/echo']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/^forbidden: /);
  });
});
