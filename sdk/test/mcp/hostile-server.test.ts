// A hostile (or broken) MCP server: too many tools, schemas nested to blow a recursive walk,
// oversized answers (JSON and SSE), protocol errors, garbage. Whatever it does, the client fails
// with one of our typed errors (never a raw MCP SDK error or a RangeError), and fast.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError, ConnectionError, InternalServerError, ProxygateError } from '../../src/core/error.js';
import { connectGateway, McpLimitError, McpProtocolError, type GatewayMcpClient } from '../../src/mcp/index.js';

const ORIGIN = 'https://hostile.mcp.test';
const URL_ = `${ORIGIN}/mcp`;

type Rpc = { jsonrpc: '2.0'; id?: number | string; method: string; params?: Record<string, unknown> };
type Behaviour = (message: Rpc) => Response | undefined;

let behaviour: Behaviour = () => undefined;

function result(message: Rpc, value: unknown): Response {
  return HttpResponse.json({ jsonrpc: '2.0', id: message.id ?? null, result: value });
}

/** initialize and notifications as any server; everything else per `behaviour`. */
const server = setupServer(
  http.post(URL_, async ({ request }) => {
    const message = (await request.json()) as Rpc;
    const special = behaviour(message);
    if (special) return special;
    if (message.method === 'initialize') {
      return result(message, { protocolVersion: '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 'hostile', version: '1' } });
    }
    if (message.id === undefined) return new HttpResponse(null, { status: 202 });
    if (message.method === 'tools/list') return result(message, { tools: [{ name: 'echo', inputSchema: { type: 'object' } }] });
    return result(message, { content: [{ type: 'text', text: 'ok' }] });
  }),
  http.get(URL_, () => new HttpResponse(null, { status: 405 })),
  http.delete(URL_, () => new HttpResponse(null, { status: 405 })),
);
const open: GatewayMcpClient[] = [];
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(async () => {
  behaviour = () => undefined;
  await Promise.all(open.splice(0).map((c) => c.close().catch(() => undefined)));
});
afterAll(() => server.close());

async function connect(extra: Parameters<typeof connectGateway>[0] = {}): Promise<GatewayMcpClient> {
  const client = await connectGateway({ url: URL_, token: null, timeoutMs: 5_000, ...extra });
  open.push(client);
  return client;
}

function nested(depth: number): Record<string, unknown> {
  let schema: Record<string, unknown> = { type: 'string' };
  for (let i = 0; i < depth; i += 1) schema = { type: 'object', properties: { a: schema } };
  return schema;
}

describe('limits on what a server may send', () => {
  it('refuses more tools than maxTools', async () => {
    behaviour = (m) => m.method === 'tools/list'
      ? result(m, { tools: Array.from({ length: 300 }, (_, i) => ({ name: `t${i}`, inputSchema: { type: 'object' } })) })
      : undefined;
    const error = await connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpLimitError);
    expect(error).toMatchObject({ limit: 'tools', max: 256 });
    expect((await connect({ limits: { maxTools: 400 } })).pins.tools['t299']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a schema nested deeper than maxSchemaDepth, even one deep enough to overflow a recursive walk', async () => {
    behaviour = (m) => m.method === 'tools/list' ? result(m, { tools: [{ name: 'deep', inputSchema: nested(40) }] }) : undefined;
    expect(await connect().catch((e: unknown) => e)).toMatchObject({ limit: 'schema_depth', max: 32 });
    // JSON.parse keeps far deeper nesting than a recursive hash can walk (a RangeError before the limit).
    const deep = `${'{"type":"object","properties":{"a":'.repeat(20_000)}{}${'}}'.repeat(20_000)}`;
    behaviour = (m) => m.method === 'tools/list'
      ? new HttpResponse(`{"jsonrpc":"2.0","id":${JSON.stringify(m.id)},"result":{"tools":[{"name":"deep","inputSchema":${deep}}]}}`, { headers: { 'content-type': 'application/json' } })
      : undefined;
    const error = await connect({ limits: { maxResultBytes: 64 * 1024 * 1024 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProxygateError);
    expect(error).not.toBeInstanceOf(RangeError);
  });

  it('refuses a JSON answer over maxResultBytes', async () => {
    const client = await connect({ limits: { maxResultBytes: 64 * 1024 } });
    behaviour = (m) => m.method === 'tools/call' ? result(m, { content: [{ type: 'text', text: 'x'.repeat(200_000) }] }) : undefined;
    const error = await client.callTool('echo').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpLimitError);
    expect(error).toMatchObject({ limit: 'result_bytes', max: 64 * 1024 });
    // Small answers still pass on the same client.
    behaviour = () => undefined;
    expect((await client.callTool('echo')).content).toEqual([{ type: 'text', text: 'ok' }]);
  });

  it('fails a call waiting on an SSE event over maxResultBytes at once, not at its timeout', async () => {
    const client = await connect({ limits: { maxResultBytes: 64 * 1024 }, timeoutMs: 60_000 });
    behaviour = (m) => {
      if (m.method !== 'tools/call') return undefined;
      const event = `event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: m.id, result: { content: [{ type: 'text', text: 'y'.repeat(200_000) }] } })}\n\n`;
      return new HttpResponse(event, { headers: { 'content-type': 'text/event-stream' } });
    };
    // timeoutMs (60 s) is past the test's own timeout (20 s): a call that waited for it fails here.
    const error = await client.callTool('echo').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpLimitError);
  });

  it('refuses a limit option that is not a positive integer, typed', async () => {
    await expect(connect({ limits: { maxTools: 0 } })).rejects.toBeInstanceOf(ProxygateError);
    await expect(connect({ limits: { maxResultBytes: Number.NaN } })).rejects.toBeInstanceOf(ProxygateError);
  });
});

describe('every failure is a typed error', () => {
  const cases: Array<[string, Behaviour, new (...args: never[]) => ProxygateError]> = [
    ['a JSON-RPC error on initialize', (m) => m.method === 'initialize' ? HttpResponse.json({ jsonrpc: '2.0', id: m.id, error: { code: -32603, message: 'boom' } }) : undefined, McpProtocolError],
    ['garbage instead of JSON', (m) => m.method === 'tools/list' ? new HttpResponse('{not json', { headers: { 'content-type': 'application/json' } }) : undefined, McpProtocolError],
    ['an unexpected content type', (m) => m.method === 'tools/list' ? new HttpResponse('hello', { headers: { 'content-type': 'text/plain' } }) : undefined, McpProtocolError],
    ['a 500 on initialize', (m) => m.method === 'initialize' ? HttpResponse.json({ error: 'internal_error', message: 'down' }, { status: 500 }) : undefined, InternalServerError],
    ['a 401 without an authProvider', (m) => m.method === 'tools/list' ? HttpResponse.json({ error: 'unauthorized', message: 'no' }, { status: 401, headers: { 'www-authenticate': 'Bearer realm="x"' } }) : undefined, AuthenticationError],
    ['a tools/list result of the wrong shape', (m) => m.method === 'tools/list' ? result(m, { tools: 'none' }) : undefined, McpProtocolError],
    ['a tool listed twice', (m) => m.method === 'tools/list' ? result(m, { tools: [{ name: 'a', inputSchema: { type: 'object' } }, { name: 'a', inputSchema: { type: 'object' } }] }) : undefined, McpProtocolError],
    ['a lone surrogate in a definition', (m) => m.method === 'tools/list' ? new HttpResponse(`{"jsonrpc":"2.0","id":${JSON.stringify(m.id)},"result":{"tools":[{"name":"s","description":"\\ud800","inputSchema":{"type":"object"}}]}}`, { headers: { 'content-type': 'application/json' } }) : undefined, McpProtocolError],
    ['a dropped connection', (m) => m.method === 'tools/list' ? HttpResponse.error() : undefined, ConnectionError],
  ];
  it.each(cases)('at connect: %s', async (_name, misbehave, expected) => {
    behaviour = misbehave;
    const error = await connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(expected);
    expect(error).toBeInstanceOf(ProxygateError);
  });

  it('on a call: a JSON-RPC error and an unknown tool', async () => {
    const client = await connect();
    behaviour = (m) => m.method === 'tools/call' ? HttpResponse.json({ jsonrpc: '2.0', id: m.id, error: { code: -32602, message: 'bad params' } }) : undefined;
    expect(await client.callTool('echo').catch((e: unknown) => e)).toBeInstanceOf(McpProtocolError);
    expect(await client.callTool('nope').catch((e: unknown) => e)).toBeInstanceOf(McpProtocolError);
  });
});

describe('client capabilities and handlers', () => {
  // A stateful server over a real socket (msw holds a streamed answer back until it ends, and
  // this tool's answer waits on the client): its tool asks the client for input mid-call.
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  let announced: Record<string, unknown> | undefined;
  let elicitUrl = '';
  const elicitServer = createServer((req, res) => {
    void (async () => {
      const id = req.headers['mcp-session-id'];
      if (typeof id === 'string') {
        const transport = sessions.get(id);
        if (transport) await transport.handleRequest(req, res);
        else res.writeHead(404).end();
        return;
      }
      if (req.method !== 'POST') {
        res.writeHead(405).end();
        return;
      }
      const mcp = new McpServer({ name: 'elicit', version: '1' }, { capabilities: { tools: {} } });
      mcp.registerTool('ask', { inputSchema: {} }, async () => {
        announced = mcp.server.getClientCapabilities() as Record<string, unknown>;
        const answer = await mcp.server.elicitInput({
          message: 'Your details',
          requestedSchema: { type: 'object', properties: { name: { type: 'string', default: 'Ada' }, age: { type: 'integer', default: 36 } }, required: [] },
        });
        return { content: [{ type: 'text', text: JSON.stringify(answer) }] };
      });
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => crypto.randomUUID(),
        onsessioninitialized: (sessionId) => { sessions.set(sessionId, transport); },
      });
      await mcp.connect(transport);
      await transport.handleRequest(req, res);
    })();
  });
  beforeAll(async () => {
    server.close(); // real sockets here, not msw
    await new Promise<void>((resolve) => elicitServer.listen(0, '127.0.0.1', () => resolve()));
    elicitUrl = `http://127.0.0.1:${(elicitServer.address() as AddressInfo).port}/mcp`;
  });
  afterAll(async () => {
    elicitServer.closeAllConnections();
    await new Promise<void>((resolve) => elicitServer.close(() => resolve()));
    server.listen({ onUnhandledRequest: 'error' });
  });

  it('passes elicitation requests to the handler, announces the capability, and applies schema defaults', async () => {
    const seen: unknown[] = [];
    const client = await connectGateway({
      url: elicitUrl, token: null, timeoutMs: 5_000,
      handlers: {
        elicitation: (params) => {
          seen.push(params.message);
          return { action: 'accept', content: {} };
        },
      },
    });
    open.push(client);
    const answer = await client.callTool('ask');
    expect(seen).toEqual(['Your details']);
    expect(announced).toMatchObject({ elicitation: { form: { applyDefaults: true } } });
    expect(JSON.parse((answer.content as Array<{ text: string }>)[0]!.text)).toEqual({ action: 'accept', content: { name: 'Ada', age: 36 } });
  });

  it('announces exactly the capabilities passed, when passed', async () => {
    const client = await connectGateway({
      url: elicitUrl, token: null, timeoutMs: 5_000,
      capabilities: { elicitation: { form: {} }, sampling: {} },
      handlers: {
        elicitation: () => ({ action: 'decline' }),
        sampling: () => ({ role: 'assistant', content: { type: 'text', text: 'hi' }, model: 'test' }),
      },
    });
    open.push(client);
    const answer = await client.callTool('ask');
    expect(announced).toEqual({ elicitation: { form: {} }, sampling: {} });
    expect(JSON.parse((answer.content as Array<{ text: string }>)[0]!.text)).toEqual({ action: 'decline' });
  });
});
