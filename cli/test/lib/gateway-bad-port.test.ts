// A gateway URL whose port fetch refuses (the Fetch standard's "bad ports", e.g. 6666) is a
// configuration error: one line naming the port, exit 2, nothing sent, the key never shown.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FETCH_BAD_PORTS, refuseFetchBadPort } from '../../src/lib/gateway-url.js';
import { cli, isolatedEnv } from '../helpers/run.js';

const KEY = `pg_live_${'k'.repeat(28)}abcd`;
const FROM = "--gateway, PROXYGATE_GATEWAY_URL or the profile's";
const line = (url: string, port: number) =>
  `usage_error: the gateway URL "${url}" (${FROM}) uses port ${port}, which fetch refuses (a "bad port", kept for other protocols); nothing was sent (serve the gateway on another port, e.g. http://127.0.0.1:8080)\n`;

describe('the list is the one fetch refuses', () => {
  it('Node\'s fetch refuses every listed port before connecting', async () => {
    const failures = await Promise.all(
      [...FETCH_BAD_PORTS].map(async (port) => {
        const error = await fetch(`http://127.0.0.1:${port}/`).then(
          () => undefined,
          (e: unknown) => e as { cause?: { message?: string } },
        );
        return error?.cause?.message === 'bad port' ? undefined : port;
      }),
    );
    expect(failures.filter((p) => p !== undefined)).toEqual([]);
  });

  it('other ports, and the default ones, pass', () => {
    for (const url of ['http://127.0.0.1:8080', 'http://127.0.0.1:6664', 'https://gw.example', 'http://gw.example:80']) {
      expect(() => refuseFetchBadPort(url, 'the gateway URL', FROM), url).not.toThrow();
    }
  });

  it('a user and password in the URL are not repeated', () => {
    expect(() => refuseFetchBadPort(`http://user:${KEY}@127.0.0.1:6666/gw`, 'the gateway URL', FROM)).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/^the gateway URL "http:\/\/127\.0\.0\.1:6666\/gw" /) }),
    );
  });
});

describe('commands that reach the gateway refuse it before sending (oclif\'s path)', () => {
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    env = await isolatedEnv({ PROXYGATE_API_KEY: KEY, PROXYGATE_GATEWAY_URL: 'http://127.0.0.1:6666' });
  });
  afterEach(() => env.restore());

  it('from PROXYGATE_GATEWAY_URL or --gateway, for data commands, paid calls, whoami and api', async () => {
    for (const args of [['balance'], ['call', 'echo', '/echo'], ['whoami'], ['api', 'v1/balance'], ['receipts', 'keys', 'export']]) {
      const r = await cli(args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toBe(line('http://127.0.0.1:6666', 6666));
      expect(r.stderr + r.stdout).not.toContain(KEY);
    }
    const flag = await cli(['balance', '--gateway', 'http://127.0.0.1:10080/']);
    expect(flag.exitCode).toBe(2);
    expect(flag.stderr).toBe(line('http://127.0.0.1:10080', 10080));
  });

  it('the --json error object says the same', async () => {
    const r = await cli(['balance', '--json']);
    expect(r.exitCode).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'usage_error', exit_code: 2, message: expect.stringContaining('uses port 6666, which fetch refuses') });
  });

  it('the MCP commands too, and a PROXYGATE_MCP_URL of such a port', async () => {
    expect((await cli(['mcp', 'tools'])).stderr).toBe(line('http://127.0.0.1:6666', 6666));
    process.env['PROXYGATE_GATEWAY_URL'] = 'http://127.0.0.1:8080';
    process.env['PROXYGATE_MCP_URL'] = 'http://127.0.0.1:6667/mcp';
    try {
      const r = await cli(['mcp', 'tools']);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/^usage_error: the MCP URL "http:\/\/127\.0\.0\.1:6667\/mcp" \(PROXYGATE_MCP_URL\) uses port 6667, which fetch refuses/);
    } finally {
      delete process.env['PROXYGATE_MCP_URL'];
    }
  });

  it('offline commands still take such a URL (it only names the pin)', async () => {
    const r = await cli(['receipts', 'keys', 'show']);
    expect(r.stderr).not.toContain('bad port');
  });
});
