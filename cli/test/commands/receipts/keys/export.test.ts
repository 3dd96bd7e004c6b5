import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useInProcessMock } from '../../../helpers/mock.js';
import { cli, isolatedEnv } from '../../../helpers/run.js';
import { toBareReceipts } from '../../../helpers/trail.js';

describe('receipts keys export on the public profile (no key-set document: the keys of /health)', () => {
  const ctx = useInProcessMock('cli-keys-export-public', 'public');
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    ctx.mock.gateway.reset();
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: ctx.origin, PROXYGATE_API_KEY: ctx.mock.demoTokens.trader });
  });
  afterEach(() => env.restore());

  it('pins platform_pubkey and receipt_ca_pubkey; v1 and v2 receipts then verify offline against the file', async () => {
    const keys = join(env.dir, 'keys.json');
    const exported = await cli(['receipts', 'keys', 'export', '--output', keys]);
    expect(exported.exitCode).toBe(0);
    const pinFile = join(env.dir, 'config', 'receipt-keys', 'default', 'https_mock.proxygate.test.json');
    expect(exported.stderr).toBe(
      `Saved the v1 platform key and the v2 receipt CA key from GET /health (the gateway serves no key-set document) to ${keys}\n` +
        `pinned the receipt keys of ${ctx.origin} (the v1 platform key and the v2 receipt CA key from GET /health) in ${pinFile}; later calls verify against them ("proxygate receipts keys show")\n`,
    );
    // Exporting again changes nothing and says nothing more.
    expect((await cli(['receipts', 'keys', 'export', '--output', keys])).stderr).toBe(exported.stderr.split('\n')[0] + '\n');
    const health = (await (await fetch(`${ctx.origin}/health`)).json()) as { platform_pubkey: string; receipt_ca_pubkey: string; extensions?: unknown };
    expect(health.extensions).toBeUndefined();
    expect(JSON.parse(await readFile(keys, 'utf8'))).toEqual({ keys: [], platform_pubkey: health.platform_pubkey, receipt_ca_pubkey: health.receipt_ca_pubkey });

    const receipts = join(env.dir, 'r.jsonl');
    expect((await cli(['call', 'weather-current', '/current', '--query', 'city=Oslo', '--receipts', receipts])).exitCode).toBe(0);
    process.env['PROXYGATE_API_KEY'] = ctx.mock.demoTokens.traderV2;
    expect((await cli(['call', 'weather-current', '/current', '--query', 'city=Oslo', '--receipts', receipts, '--keys', keys])).stderr).toContain('receipt: valid');
    process.env['PROXYGATE_GATEWAY_URL'] = 'http://127.0.0.1:1';
    await toBareReceipts(receipts);
    const verified = await cli(['receipts', 'verify', receipts, '--keys', keys]);
    expect(verified.stdout).toBe('2 valid, 0 invalid\n');
    expect(verified.exitCode).toBe(0);
    // The same keys given as pins.
    const pinned = await cli(['receipts', 'verify', receipts, '--pin', `platform=${health.platform_pubkey}`, '--pin', `receipt-ca=${health.receipt_ca_pubkey}`]);
    expect(pinned.stdout).toBe('2 valid, 0 invalid\n');
  });
});

describe('receipts keys export on the extended profile (the advertised key-set document)', () => {
  const ctx = useInProcessMock('cli-keys-export-extended');
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: ctx.origin, PROXYGATE_API_KEY: ctx.mock.demoTokens.trader });
  });
  afterEach(async () => {
    ctx.server.resetHandlers();
    await env.restore();
  });

  it('saves the document with its keys', async () => {
    const r = await cli(['receipts', 'keys', 'export']);
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.keys.length).toBeGreaterThan(0);
    expect(r.stderr.split('\n')[0]).toBe(`Exported ${doc.keys.length} key(s)`);
    expect(r.stderr.split('\n')[1]).toMatch(/^pinned the receipt keys of /);
  });

  it('fails on an error of the advertised document instead of pinning a partial key set', async () => {
    ctx.server.use(http.get('*/.well-known/proxygate-receipt-keys', () => HttpResponse.json({ error: 'internal_error', message: 'boom' }, { status: 500 })));
    const result = await cli(['receipts', 'keys', 'export', '--output', join(env.dir, 'keys.json')]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).not.toContain('/health');
  });
});
