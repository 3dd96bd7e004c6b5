// The built binary: a gateway URL whose port fetch refuses gets the same one line and exit 2 on the
// data path (node:http, which would connect) as on oclif's (fetch, which says only "bad port").
import { describe, expect, it } from 'vitest';
import { assertBuilt, runCli } from './harness.js';

const KEY = `pg_live_${'k'.repeat(28)}abcd`;
const LINE =
  'usage_error: the gateway URL "http://127.0.0.1:6666" (--gateway, PROXYGATE_GATEWAY_URL or the profile\'s) uses port 6666, which fetch refuses (a "bad port", kept for other protocols); nothing was sent (serve the gateway on another port, e.g. http://127.0.0.1:8080)\n';

describe('a gateway URL on a port fetch refuses', { timeout: 60_000 }, () => {
  assertBuilt();

  it('is one usage line, exit 2, on the data path and on oclif\'s, from the environment or --gateway', async () => {
    const env = { PROXYGATE_API_KEY: KEY, PROXYGATE_GATEWAY_URL: 'http://127.0.0.1:6666' };
    const lines = [
      ['balance'], // data path
      ['balance', '--'], // `--` hands the line to oclif
      ['call', 'echo', '/echo'],
      ['call', 'echo', '/echo', '--'],
      ['whoami'], // oclif only
      ['balance', '--gateway', 'http://127.0.0.1:6666'],
    ];
    for (const args of lines) {
      const r = await runCli(args, { env });
      expect({ args, code: r.code, stderr: r.stderr, stdout: r.stdout }).toEqual({ args, code: 2, stderr: LINE, stdout: '' });
    }
  });
});
