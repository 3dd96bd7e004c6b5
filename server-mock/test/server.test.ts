import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROFILES } from '../src/index.js';
import { startMockServer } from '../src/serve.js';
import { decodeReceiptHeader, id } from './helpers.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const BIN = `${packageDir}bin/proxygate-mock.js`;

describe.each(PROFILES)('real HTTP server (%s profile)', (profile) => {
  it('binds 127.0.0.1 on a free port, answers every kind of route, turns faults into socket events, and closes', async () => {
    const server = await startMockServer({ profile, seed: 'http-tests' });
    const auth = { authorization: `Bearer ${server.demoTokens.trader}` };
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server.profile).toBe(profile);
      const apis = await fetch(`${server.url}/v1/apis?limit=2`);
      expect(((await apis.json()) as { data: unknown[] }).data).toHaveLength(2);
      const call = await fetch(`${server.url}/proxy/echo/echo?listing=${id('echo')}`, { method: 'POST', body: 'over-http', headers: auth });
      expect(call.status).toBe(200);
      expect(((await call.json()) as { body: string }).body).toBe('over-http');
      expect(call.headers.get('x-proxygate-receipt')).toBeTruthy();
      const keys = await fetch(`${server.url}/.well-known/proxygate-receipt-keys`);
      if (profile === 'extended') expect(((await keys.json()) as { issuer: string }).issuer).toBe(server.url);
      else expect(keys.status).toBe(404);
      const denied = await fetch(`${server.url}/v1/balance`);
      expect(denied.headers.get('www-authenticate')).toContain(`resource_metadata="${server.url}/.well-known/oauth-protected-resource"`);

      server.gateway.faults.inject({ kind: 'reset' });
      await expect(fetch(`${server.url}/health`)).rejects.toThrow();
      server.gateway.faults.inject({ kind: 'truncate', phase: 'after' });
      await expect(fetch(`${server.url}/v1/apis`).then((response) => response.text())).rejects.toThrow();

      // An answer lost AFTER the charge (a real reset), then a re-send with the same key.
      const control = await fetch(`${server.url}/__mock/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'reset', phase: 'after', path: '/proxy/weather' }),
      });
      expect(control.status).toBe(201);
      const paid = () => fetch(`${server.url}/proxy/weather/current?listing=${id('weather-current')}&city=Oslo`, { headers: { ...auth, 'idempotency-key': 'lost-once' } });
      await expect(paid()).rejects.toThrow();
      const resent = await paid();
      expect(resent.status).toBe(200);
      const ledger = (await (await fetch(`${server.url}/__mock/ledger`)).json()) as { data: { kind: string; listing_id: string }[] };
      const weatherCharges = ledger.data.filter((entry) => entry.listing_id === id('weather-current'));
      expect(weatherCharges).toHaveLength(profile === 'extended' ? 1 : 2);
      expect(resent.headers.get('idempotent-replayed')).toBe(profile === 'extended' ? 'true' : null);

      const unknownRoute = await fetch(`${server.url}/v1/nothing-here`);
      expect([unknownRoute.status, ((await unknownRoute.json()) as { error: string }).error]).toEqual([404, 'not_found']);
      expect(unknownRoute.headers.get('x-powered-by')).toBeNull();

      const sse = await fetch(`${server.url}/proxy/llm/chat?listing=${id('llm-stream')}`, { method: 'POST', body: '{"prompt":"x"}', headers: auth });
      expect(sse.headers.get('content-type')).toBe('text/event-stream');
      const text = await sse.text();
      if (profile === 'extended') {
        expect(text).toMatch(/event: proxygate\.receipt\ndata: \{"receipt":"[A-Za-z0-9+/=]+","shield":/);
      } else {
        expect(decodeReceiptHeader(sse.headers.get('x-proxygate-receipt'))['amount']).toBe(15_500);
        expect(text).not.toContain('proxygate.receipt');
      }
    } finally {
      await server.close();
    }
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });
});

describe('proxygate-mock bin', () => {
  beforeAll(() => {
    if (!existsSync(`${packageDir}dist/serve.js`)) execFileSync('npm', ['run', 'build'], { cwd: packageDir, stdio: 'ignore' });
  });

  async function firstLine(args: string[]): Promise<{ line: string; child: ReturnType<typeof spawn> }> {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const line = await new Promise<string>((resolve, reject) => {
      let buffer = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        const newline = buffer.indexOf('\n');
        if (newline >= 0) resolve(buffer.slice(0, newline));
      });
      child.once('exit', (code) => reject(new Error(`bin exited early with ${code}`)));
    });
    return { line, child };
  }

  async function stop(child: ReturnType<typeof spawn>): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.stdin?.end();
    return exited;
  }

  it.each(PROFILES)('prints { url, profile, tokens } as JSON with --profile %s, serves, and exits when stdin closes', async (profile) => {
    const { line, child } = await firstLine(['--json', '--profile', profile, '--seed', 'bin-test', '--exit-on-stdin-close']);
    try {
      const printed = JSON.parse(line) as { url: string; profile: string; tokens: Record<string, string> };
      expect(printed.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(printed.profile).toBe(profile);
      expect(Object.keys(printed.tokens).sort()).toEqual(['broke', 'capped', 'readOnly', 'trader', 'traderV1', 'traderV2']);
      expect(printed.tokens['readOnly']).toMatch(/^pg_live_/);
      expect(printed.tokens['capped']).toMatch(/^pg_del_/);
      const health = (await (await fetch(`${printed.url}/health`)).json()) as Record<string, unknown>;
      expect('extensions' in health).toBe(profile === 'extended');
      expect((await fetch(`${printed.url}/v1/balance`, { headers: { authorization: `Bearer ${printed.tokens['trader']}` } })).status).toBe(200);
      expect(await stop(child)).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGTERM');
    }
  });

  it('prints readable lines without --json (default profile extended) and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const first = await new Promise<string>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8'))));
    expect(first).toMatch(/^proxygate-mock listening on http:\/\/127\.0\.0\.1:\d+ \(profile extended\)\n/);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  // Six starts of the bin: a loaded 2-core CI machine needs more than the default budget.
  it('honours --receipt-version and --tag-v1-receipts, and rejects bad flags with exit code 2', { timeout: 90_000 }, async () => {
    for (const [args, message] of [
      [['--receipt-version', '7'], '--receipt-version must be 1, 2 or 3'],
      [['--profile', 'private'], '--profile must be public or extended'],
      [['--profile', 'public', '--receipt-version', '3'], '--receipt-version 3 needs --profile extended'],
    ] as const) {
      const bad = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      bad.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      expect(await new Promise((resolve) => bad.once('exit', resolve))).toBe(2);
      expect(stderr).toContain(message);
    }
    for (const [args, expected] of [
      [['--receipt-version', '2'], 2],
      [['--profile', 'public', '--tag-v1-receipts'], 1],
      [['--profile', 'public'], undefined],
    ] as const) {
      const { line, child } = await firstLine(['--json', '--exit-on-stdin-close', ...args]);
      try {
        const printed = JSON.parse(line) as { url: string; tokens: { trader: string } };
        const call = await fetch(`${printed.url}/proxy/echo/echo?listing=${id('echo')}`, { headers: { authorization: `Bearer ${printed.tokens.trader}` } });
        expect(decodeReceiptHeader(call.headers.get('x-proxygate-receipt'))['receipt_version'], args.join(' ')).toBe(expected);
      } finally {
        await stop(child);
      }
    }
  });
});
