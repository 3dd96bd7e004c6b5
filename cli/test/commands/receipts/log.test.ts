// `receipts log` keeps what the gateway sent, byte for byte, and stops on a repeated cursor.
import { http, HttpResponse } from 'msw';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startInProcessMock } from '../../helpers/mock.js';
import { cli, isolatedEnv } from '../../helpers/run.js';

describe('receipts log against a gateway page with a duplicate key', () => {
  const { mock, server, origin } = startInProcessMock('cli-receipt-log-page');
  afterAll(() => server.close());
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: origin, PROXYGATE_API_KEY: mock.demoTokens.trader });
  });
  afterEach(() => {
    server.resetHandlers();
    return env.restore();
  });

  it('saves the receipt as sent, so verify calls it malformed instead of verifying a rewritten copy', async () => {
    const { readFile } = await import('node:fs/promises');
    const keys = `${env.dir}/keys.json`;
    expect((await cli(['receipts', 'keys', 'export', '-o', keys])).exitCode).toBe(0);
    expect((await cli(['call', 'echo', '/echo'])).exitCode).toBe(0);
    const page = (await (await fetch(`${origin}/v1/receipts`, { headers: { authorization: `Bearer ${mock.demoTokens.trader}` } })).text());
    // A hostile log adds a first "amount" that JSON.parse would drop (the signed one comes last).
    const hostile = page.replace('"amount":', '"amount":"0","amount":');
    server.use(http.get(`${origin}/v1/receipts`, () => new HttpResponse(hostile, { headers: { 'content-type': 'application/json' } })));
    const log = `${env.dir}/log.jsonl`;
    expect((await cli(['receipts', 'log', '-o', log])).exitCode).toBe(0);
    const saved = (await readFile(log, 'utf8')).trim();
    expect(saved).toContain('"amount":"0","amount":');
    const verified = await cli(['receipts', 'verify', log, '--keys', keys]);
    expect(verified.exitCode).toBe(1);
    expect(verified.stdout).toMatch(/malformed/);
  });

  it('stops on a cursor the log repeats', async () => {
    server.use(http.get(`${origin}/v1/receipts`, () => HttpResponse.json({ data: [], cursor: 'again', has_more: true, head: null })));
    const r = await cli(['receipts', 'log']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^invalid_response: the receipt log repeats a cursor/);
  });
});
