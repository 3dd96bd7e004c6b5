// PROXYGATE_TIMEOUT bounds the MCP commands as it bounds the REST ones: against a gateway that
// accepts connections and never answers, `mcp tools` fails with a connection error (exit 1) after
// one attempt's timeout instead of waiting minutes (the test's own timeout would catch a hang).
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cli, isolatedEnv } from '../../helpers/run.js';

describe('PROXYGATE_TIMEOUT and the MCP commands (a gateway that never answers)', () => {
  const sockets = new Set<Socket>();
  let silent: Server;
  let origin: string;
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeAll(async () => {
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    origin = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });
  beforeEach(async () => {
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: origin, PROXYGATE_TIMEOUT: '0.2' });
  });
  afterEach(() => env.restore());

  it('with a token: the connect-time read of the token (GET /v1/tokens/self) times out', async () => {
    process.env['PROXYGATE_API_KEY'] = `pg_live_${'a'.repeat(32)}`;
    const r = await cli(['mcp', 'tools']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^connection_error: GET \/v1\/tokens\/self got no answer within 200 ms/m);
    expect(r.stderr).not.toContain('a'.repeat(32));
  });

  it('anonymous: the MCP connect itself times out', async () => {
    const r = await cli(['mcp', 'tools']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^connection_error: connect to http:\/\/127\.0\.0\.1:\d+\/mcp timed out/m);
  });
});
