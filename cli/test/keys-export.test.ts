import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startInProcessMock } from './helpers/mock.js';
import { cli, isolatedEnv } from './helpers/run.js';

const { mock, server, origin } = startInProcessMock('cli-keys-export');
afterAll(() => server.close());

let env: Awaited<ReturnType<typeof isolatedEnv>>;
beforeEach(async () => {
  mock.gateway.reset();
  env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: origin, PROXYGATE_API_KEY: mock.demoTokens.traderV1 });
});
afterEach(async () => {
  server.resetHandlers();
  await env.restore();
});

describe('receipts keys export on a gateway without the key-set document', () => {
  it('pins the /health keys, and v1 receipts then verify offline against them', async () => {
    // Like the public gateway: no /.well-known/proxygate-receipt-keys.
    server.use(http.get('*/.well-known/proxygate-receipt-keys', () => HttpResponse.json({ error: 'not_found', message: 'no such route' }, { status: 404 })));
    const keys = join(env.dir, 'keys.json');
    const exported = await cli(['receipts', 'keys', 'export', '--output', keys]);
    expect(exported.exitCode).toBe(0);
    expect(exported.stderr).toContain('/health');
    const health = await (await fetch(`${origin}/health`)).json() as { platform_pubkey: string; receipt_ca_pubkey: string };
    const document = JSON.parse(await readFile(keys, 'utf8'));
    expect(document).toMatchObject({ keys: [], platform_pubkey: health.platform_pubkey, receipt_ca_pubkey: health.receipt_ca_pubkey });

    const receipts = join(env.dir, 'r.jsonl');
    expect((await cli(['call', 'weather-current', '/current', '--query', 'city=Oslo', '--receipts', receipts])).exitCode).toBe(0);
    const verified = await cli(['receipts', 'verify', receipts, '--keys', keys]);
    expect(verified.stdout).toContain('1 valid, 0 invalid');
    expect(verified.exitCode).toBe(0);
  });

  it('still fails on other errors instead of pinning a partial key set', async () => {
    server.use(http.get('*/.well-known/proxygate-receipt-keys', () => HttpResponse.json({ error: 'internal_error', message: 'boom' }, { status: 500 })));
    const result = await cli(['receipts', 'keys', 'export', '--output', join(env.dir, 'keys.json')]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).not.toContain('/health');
  });
});
