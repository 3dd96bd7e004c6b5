import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { startMockServer } from '../src/serve.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

describe('real HTTP server', () => {
  it('binds 127.0.0.1 on a free port, answers every kind of route, and closes', async () => {
    const server = await startMockServer({ seed: 'http-tests' });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const apis = await fetch(`${server.url}/v1/apis?limit=2`);
      expect(apis.status).toBe(200);
      expect(((await apis.json()) as { data: unknown[] }).data).toHaveLength(2);
      const call = await fetch(`${server.url}/proxy/echo/echo?listing=echo`, {
        method: 'POST',
        body: 'over-http',
        headers: { authorization: `Bearer ${server.demoTokens.trader}`, 'idempotency-key': 'k1' },
      });
      expect(call.status).toBe(200);
      expect(((await call.json()) as { body: string }).body).toBe('over-http');
      expect(call.headers.get('x-proxygate-receipt')).toBeTruthy();
      const keys = (await (await fetch(`${server.url}/.well-known/proxygate-receipt-keys`)).json()) as { issuer: string };
      expect(keys.issuer).toBe(server.url);
      const denied = await fetch(`${server.url}/v1/balance`);
      expect(denied.headers.get('www-authenticate')).toContain(`resource_metadata="${server.url}/.well-known/oauth-protected-resource"`);

      // Faults are real socket events over HTTP.
      server.gateway.faults.inject({ kind: 'reset' });
      await expect(fetch(`${server.url}/health`)).rejects.toThrow();
      server.gateway.faults.inject({ kind: 'truncate', phase: 'after' });
      await expect(fetch(`${server.url}/v1/apis`).then((response) => response.text())).rejects.toThrow();

      // An answer lost AFTER the charge (real reset), then a retry with the same key: one charge.
      const control = await fetch(`${server.url}/__mock/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'reset', phase: 'after', path: '/proxy/weather' }),
      });
      expect(control.status).toBe(201);
      const paid = () =>
        fetch(`${server.url}/proxy/weather/current?listing=weather-current&city=Oslo`, {
          headers: { authorization: `Bearer ${server.demoTokens.trader}`, 'idempotency-key': 'lost-once' },
        });
      await expect(paid()).rejects.toThrow();
      const retried = await paid();
      expect(retried.status).toBe(200);
      expect(retried.headers.get('idempotent-replayed')).toBe('true');
      const ledger = (await (await fetch(`${server.url}/__mock/ledger`)).json()) as { data: { kind: string; idempotency_key: string | null }[] };
      expect(ledger.data.filter((entry) => entry.idempotency_key === 'lost-once')).toEqual([expect.objectContaining({ kind: 'charge' })]);
      const unknownRoute = await fetch(`${server.url}/v1/nothing-here`);
      expect([unknownRoute.status, ((await unknownRoute.json()) as { error: string }).error]).toEqual([404, 'not_found']);
      expect(unknownRoute.headers.get('x-powered-by')).toBeNull();

      const sse = await fetch(`${server.url}/proxy/llm/chat?listing=llm-stream`, {
        method: 'POST',
        body: '{"prompt":"x"}',
        headers: { authorization: `Bearer ${server.demoTokens.trader}` },
      });
      expect(sse.headers.get('content-type')).toBe('text/event-stream');
      expect(await sse.text()).toMatch(/event: proxygate\.receipt\ndata: \{"receipt":"[A-Za-z0-9+/=]+","shield":/);
    } finally {
      await server.close();
    }
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });
});

describe('proxygate-mock bin', () => {
  it('prints its URL and demo tokens as JSON, serves, and exits when stdin closes', async () => {
    if (!existsSync(`${packageDir}dist/serve.js`)) execFileSync('npm', ['run', 'build'], { cwd: packageDir, stdio: 'ignore' });
    const child = spawn(process.execPath, [`${packageDir}bin/proxygate-mock.js`, '--json', '--seed', 'bin-test', '--exit-on-stdin-close'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let buffer = '';
        child.stdout.on('data', (chunk: Buffer) => {
          buffer += chunk.toString('utf8');
          const newline = buffer.indexOf('\n');
          if (newline >= 0) resolve(buffer.slice(0, newline));
        });
        child.once('exit', (code) => reject(new Error(`bin exited early with ${code}`)));
      });
      const printed = JSON.parse(line) as { url: string; tokens: { readOnly: string; trade: string } };
      expect(printed.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(printed.tokens.readOnly).toMatch(/^pg_live_/);
      const balance = await fetch(`${printed.url}/v1/balance`, { headers: { authorization: `Bearer ${printed.tokens.trade}` } });
      expect(balance.status).toBe(200);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.stdin.end();
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGTERM');
    }
  });

  it('prints readable lines without --json and stops on SIGTERM', async () => {
    if (!existsSync(`${packageDir}dist/serve.js`)) execFileSync('npm', ['run', 'build'], { cwd: packageDir, stdio: 'ignore' });
    const child = spawn(process.execPath, [`${packageDir}bin/proxygate-mock.js`, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const first = await new Promise<string>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8'))));
    expect(first).toMatch(/^proxygate-mock listening on http:\/\/127\.0\.0\.1:\d+\n/);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

describe('proxygate-mock bin flags', () => {
  it('honours --receipt-version and rejects bad flags with exit code 2', async () => {
    if (!existsSync(`${packageDir}dist/serve.js`)) execFileSync('npm', ['run', 'build'], { cwd: packageDir, stdio: 'ignore' });
    const bad = spawn(process.execPath, [`${packageDir}bin/proxygate-mock.js`, '--receipt-version', '7'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    bad.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    expect(await new Promise((resolve) => bad.once('exit', resolve))).toBe(2);
    expect(stderr).toContain('--receipt-version must be 1, 2 or 3');

    const child = spawn(process.execPath, [`${packageDir}bin/proxygate-mock.js`, '--json', '--receipt-version', '2', '--exit-on-stdin-close'], { stdio: ['pipe', 'pipe', 'ignore'] });
    try {
      const line = await new Promise<string>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8'))));
      const printed = JSON.parse(line) as { url: string; tokens: { trade: string } };
      const call = await fetch(`${printed.url}/proxy/echo/echo?listing=echo`, { headers: { authorization: `Bearer ${printed.tokens.trade}` } });
      const receipt = JSON.parse(Buffer.from(call.headers.get('x-proxygate-receipt') ?? '', 'base64').toString('utf8')) as { receipt_version?: number };
      expect(receipt.receipt_version).toBe(2);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      await exited;
    }
  });
});
