// The checks `mcp serve --http` makes on each request: loopback host and origin, its bearer (the whole
// server runs as a subprocess in test/cli/mcp-serve.test.ts).
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { HttpGuard } from '../../../src/lib/mcp-serve/http-guard.js';

describe('the HTTP checks', () => {
  const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
  const guard = new HttpGuard(4100, 'secret-token-value');
  const bearer = { authorization: 'Bearer secret-token-value' };
  it('accept this loopback server with its bearer only', () => {
    expect(guard.check(request({ host: '127.0.0.1:4100', ...bearer }))).toBeUndefined();
    expect(guard.check(request({ host: 'localhost:4100', origin: 'http://localhost:4100', ...bearer }))).toBeUndefined();
    expect(guard.check(request({ host: 'rebound.example:4100', ...bearer }))).toMatchObject({ status: 403, error: 'forbidden_host' });
    expect(guard.check(request({ host: '127.0.0.1:4101', ...bearer }))).toMatchObject({ status: 403 });
    expect(guard.check(request({ host: '127.0.0.1:4100', origin: 'https://evil.example', ...bearer }))).toMatchObject({ status: 403, error: 'forbidden_origin' });
    expect(guard.check(request({ host: '127.0.0.1:4100', origin: 'null', ...bearer }))).toMatchObject({ status: 403 });
    expect(guard.check(request({ host: '127.0.0.1:4100' }))).toMatchObject({ status: 401, headers: { 'www-authenticate': 'Bearer' } });
    expect(guard.check(request({ host: '127.0.0.1:4100', authorization: 'Bearer secret-token-valuE' }))).toMatchObject({ status: 401 });
    expect(guard.check(request({ host: '127.0.0.1:4100', authorization: 'Basic secret-token-value' }))).toMatchObject({ status: 401 });
  });
});
