// Cross-check of two independent implementations of the contract: the mock gateway's real HTTP
// answers (bodies, statuses and headers) are validated against spec/openapi.yaml. An answer with a
// status the spec does not document for that operation fails too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer } from '@proxygate-kit/server-mock/serve';
import {
  createSpecValidator,
  deref,
  describeErrors,
  escapePointerToken,
  isObject,
  listOperations,
  loadSpec,
  responsesOf,
  undeclaredKeys,
  type Json,
  type JsonObject,
  type Operation,
} from './openapi-doc.js';

const doc = loadSpec();
const operations = new Map(listOperations(doc).map((op) => [String(op.node['operationId']), op]));
const validator = createSpecValidator(doc);

type MockServer = Awaited<ReturnType<typeof startMockServer>>;
let server: MockServer;
let tokens: MockServer['demoTokens'];

/** operationId -> statuses seen and validated, for the coverage assertions at the end. */
const covered = new Map<string, Set<string>>();
/** components/responses pointers validated at least once. */
const coveredResponses = new Set<string>();
/** Headers of the gateway's own vocabulary: each one it sends must be documented for that response. */
const GATEWAY_HEADER = /^(x-proxygate-|x-spendlimit-|x-receipt$|idempotent-|retry-after$|www-authenticate$)/;
/** Fields the mock sent that the spec does not declare: "<operationId> <status> <pointer>". */
const undeclared = new Set<string>();

interface CallOptions {
  method?: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

async function call(path: string, options: CallOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  if (options.token !== undefined) headers.set('authorization', `Bearer ${options.token}`);
  let body: string | undefined;
  if (options.body !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(options.body);
  }
  return fetch(new URL(path, server.url), { method: options.method ?? 'GET', headers, ...(body === undefined ? {} : { body }) });
}

function operation(id: string): Operation {
  const op = operations.get(id);
  if (!op) throw new Error(`no operation ${id} in the spec`);
  return op;
}

function validateAt(pointer: string, value: unknown, what: string): void {
  const validate = validator.validatorAt(pointer);
  expect(validate(value), `${what}: ${describeErrors(validate.errors)}\n${JSON.stringify(value).slice(0, 800)}`).toBe(true);
}

function decodeBase64Json(value: string): unknown {
  return JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
}

/** Validates one header value against its header object (schema or content form). */
function checkHeader(headerPointer: string, header: JsonObject, value: string, what: string): void {
  if (isObject(header['content'])) {
    const [type] = Object.keys(header['content']);
    validateAt(`${headerPointer}/content/${escapePointerToken(type ?? '')}/schema`, JSON.parse(value), what);
    return;
  }
  const schema = deref(doc, header['schema'] as Json, `${headerPointer}/schema`);
  const node = schema.node as JsonObject;
  const parsed: unknown = node['type'] === 'integer' ? Number(value) : value;
  validateAt(schema.pointer, parsed, what);
  if (node['contentEncoding'] === 'base64' && isObject(node['contentSchema'])) {
    const target = deref(doc, node['contentSchema'], `${schema.pointer}/contentSchema`);
    validateAt(target.pointer, decodeBase64Json(value), `${what} (decoded)`);
  }
}

/**
 * Checks one real answer against the spec: its status is documented for the operation, its body
 * matches that response's schema for its content type, and its documented headers are present
 * when required and valid when present. Returns the parsed body.
 */
async function expectConforms(id: string, res: Response, expectedStatus: number): Promise<any> {
  const op = operation(id);
  const text = await res.text();
  expect(res.status, `${id} status; body: ${text.slice(0, 300)}`).toBe(expectedStatus);
  const response = responsesOf(doc, op).find((r) => r.status === String(res.status));
  expect(response, `${id} answered ${res.status}, which the spec does not document`).toBeDefined();
  if (!response) return undefined;
  const contentType = (res.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  let body: unknown;
  if (isObject(response.node['content'])) {
    expect(Object.keys(response.node['content']), `${id} ${res.status} content type`).toContain(contentType);
    const bodyPointer = `${response.pointer}/content/${escapePointerToken(contentType)}/schema`;
    body = contentType === 'application/json' ? JSON.parse(text) : text;
    validateAt(bodyPointer, body, `${id} ${res.status} body`);
    for (const key of undeclaredKeys(doc, bodyPointer, body)) undeclared.add(`${id} ${res.status} ${key.replace(/\/\d+(?=\/|$)/g, '/*')}`);
  } else {
    expect(text, `${id} ${res.status} has no body`).toBe('');
  }
  for (const [name, raw] of Object.entries((response.node['headers'] ?? {}) as JsonObject)) {
    const header = deref(doc, raw, `${response.pointer}/headers/${escapePointerToken(name)}`);
    const value = res.headers.get(name);
    if ((header.node as JsonObject)['required'] === true) expect(value, `${id} ${res.status} header ${name}`).not.toBeNull();
    if (value !== null) checkHeader(header.pointer, header.node as JsonObject, value, `${id} ${res.status} header ${name}`);
  }
  const documented = new Set(Object.keys((response.node['headers'] ?? {}) as JsonObject).map((h) => h.toLowerCase()));
  res.headers.forEach((_value, name) => {
    if (GATEWAY_HEADER.test(name) && !documented.has(name)) undeclared.add(`${id} ${res.status} header ${name}`);
  });
  if (!covered.has(id)) covered.set(id, new Set());
  covered.get(id)?.add(String(res.status));
  if (response.pointer.startsWith('#/components/responses/')) coveredResponses.add(response.pointer);
  return body;
}

/** Splits an SSE stream into events ({ event, data }). */
function parseSse(text: string): { event: string; data: string }[] {
  return text
    .split(/\n\n/)
    .filter((block) => block.trim() !== '')
    .map((block) => {
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      return { event, data: data.join('\n') };
    });
}

beforeAll(async () => {
  server = await startMockServer({ port: 0, seed: 'spec-conformance' });
  tokens = server.demoTokens;
});

afterAll(async () => {
  await server?.close();
});

describe('mock gateway answers conform to spec/openapi.yaml', () => {
  let listingId = '';
  let requestId = '';

  it('catalog', async () => {
    const page = await expectConforms('listApis', await call('/v1/apis?limit=2'), 200);
    expect(page.data).toHaveLength(2);
    listingId = page.data[0].id;
    if (page.has_more) await expectConforms('listApis', await call(`/v1/apis?limit=2&cursor=${encodeURIComponent(page.cursor)}`), 200);
    await expectConforms('listApis', await call('/v1/apis?type=sse&sort=price_asc&verified=true&q=chat'), 200);
    await expectConforms('listApis', await call('/v1/apis?limit=0'), 400);
    await expectConforms('getApi', await call(`/v1/apis/${listingId}`), 200);
    await expectConforms('getApi', await call('/v1/apis/echo'), 200);
    await expectConforms('getApi', await call('/v1/apis/lst_doesnotexist'), 404);
    await expectConforms('getApiDocs', await call(`/v1/apis/${listingId}/docs`), 200);
    await expectConforms('getApiDocs', await call('/v1/apis/no-such-slug/docs'), 404);
    await expectConforms('getPricing', await call('/v1/pricing'), 200);
    await expectConforms('listServices', await call('/v1/services'), 200);
    await expectConforms('listCategories', await call('/v1/categories'), 200);
  });

  it('meta and receipt keys', async () => {
    await expectConforms('getHealth', await call('/health'), 200);
    await expectConforms('getReceiptKeys', await call('/.well-known/proxygate-receipt-keys'), 200);
    await expectConforms('getProtectedResourceMetadata', await call('/.well-known/oauth-protected-resource'), 200);
    const mcpMetadata = await expectConforms('getMcpProtectedResourceMetadata', await call('/.well-known/oauth-protected-resource/mcp'), 200);
    expect(mcpMetadata.resource).toBe(`${server.url}/mcp`);
  });

  it('MCP endpoint: JSON-RPC answers, 401 challenge and 403 scope', async () => {
    const accept = { accept: 'application/json, text/event-stream' };
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'spec-conformance', version: '0' } },
    };
    const init = await expectConforms('mcpPost', await call('/mcp', { method: 'POST', body: initialize, headers: accept }), 200);
    expect(init.result.serverInfo).toBeDefined();
    const toolCall = (name: string) => ({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name, arguments: {} } });
    const balance = await expectConforms('mcpPost', await call('/mcp', { method: 'POST', body: toolCall('check_balance'), headers: accept, token: tokens.readOnly }), 200);
    expect(balance.id).toBe(2);
    const anonymous = await call('/mcp', { method: 'POST', body: toolCall('check_balance'), headers: accept });
    expect(anonymous.headers.get('www-authenticate')).toContain('resource_metadata=');
    await expectConforms('mcpPost', anonymous, 401);
    await expectConforms('mcpPost', await call('/mcp', { method: 'POST', body: toolCall('call_api'), headers: accept, token: tokens.readOnly }), 403);
    await expectConforms('mcpPost', await call('/mcp', { method: 'POST', body: initialize, headers: { accept: 'text/html' } }), 406);
  });

  it('paid calls: JSON, every receipt version, spend limits, idempotent replay', async () => {
    const echo = await call('/proxy/echo/echo?listing=echo&x=1', { token: tokens.trader });
    const receiptHeader = echo.headers.get('x-proxygate-receipt');
    await expectConforms('proxyGet', echo, 200);
    const receipt = decodeBase64Json(receiptHeader ?? '') as JsonObject;
    expect(receipt['receipt_version']).toBe(3);
    requestId = String(receipt['request_id']);

    for (const [token, version] of [
      [tokens.traderV1, undefined],
      [tokens.traderV2, 2],
    ] as const) {
      const res = await call('/proxy/echo/echo?listing=echo', { token });
      const header = res.headers.get('x-proxygate-receipt');
      await expectConforms('proxyGet', res, 200);
      expect((decodeBase64Json(header ?? '') as JsonObject)['receipt_version']).toBe(version);
    }

    const overCap = await call('/proxy/llm/chat?listing=llm-stream', { method: 'POST', token: tokens.capped, body: { prompt: 'hi' } });
    expect((await expectConforms('proxyPost', overCap, 402)).error).toBe('spend_cap_exceeded');
    const capped = await call('/proxy/echo/echo?listing=echo', { token: tokens.capped });
    expect(capped.headers.get('x-spendlimit-limit')).not.toBeNull();
    await expectConforms('proxyGet', capped, 200);

    const headers = { 'Idempotency-Key': 'spec-conformance-1' };
    const first = await call('/proxy/echo/echo?listing=echo', { method: 'POST', token: tokens.trader, body: { a: 1 }, headers });
    await expectConforms('proxyPost', first, 200);
    const replay = await call('/proxy/echo/echo?listing=echo', { method: 'POST', token: tokens.trader, body: { a: 1 }, headers });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    await expectConforms('proxyPost', replay, 200);
    const conflict = await call('/proxy/echo/echo?listing=echo', { method: 'POST', token: tokens.trader, body: { a: 2 }, headers });
    await expectConforms('proxyPost', conflict, 409);
  });

  it('paid calls: the SSE stream ends with a proxygate.receipt event whose data is an SseReceiptEvent', async () => {
    const res = await call('/proxy/llm/chat?listing=llm-stream', { method: 'POST', token: tokens.trader, body: { prompt: 'hi' } });
    const text: string = await expectConforms('proxyPost', res, 200);
    const events = parseSse(text);
    const last = events.at(-1);
    expect(last?.event).toBe('proxygate.receipt');
    const data = JSON.parse(last?.data ?? 'null') as JsonObject;
    validateAt('#/components/schemas/SseReceiptEvent', data, 'SSE receipt event');
    validateAt('#/components/schemas/ReceiptV3', decodeBase64Json(String(data['receipt'])), 'SSE receipt');
  });

  it('paid calls: shield block, payment, scope and method errors', async () => {
    const blocked = await call('/proxy/reviews/reviews?listing=product-reviews', {
      token: tokens.trader,
      headers: { 'x-proxygate-shield': 'strict' },
    });
    const receiptHeader = blocked.headers.get('x-proxygate-receipt');
    const body = await expectConforms('proxyGet', blocked, 422);
    expect(body.refunded).toBe(true);
    const receipt = decodeBase64Json(receiptHeader ?? '') as JsonObject;
    expect(receipt).toMatchObject({ amount: '0', shield: { action: 'blocked' } });

    const broke = await expectConforms('proxyGet', await call('/proxy/echo/echo?listing=echo', { token: tokens.broke }), 402);
    expect(broke.error).toBe('insufficient_credits');
    const forbidden = await call('/proxy/echo/echo?listing=echo', { token: tokens.readOnly });
    expect(forbidden.headers.get('www-authenticate')).toContain('scope="trade"');
    await expectConforms('proxyGet', forbidden, 403);
    await expectConforms('proxyGet', await call('/proxy/echo/echo?listing=echo'), 401);
    await expectConforms('proxyGet', await call('/proxy/echo/echo?listing=lst_doesnotexist', { token: tokens.trader }), 404);
    await expectConforms('proxyGet', await call('/proxy/echo/not-an-endpoint?listing=echo', { token: tokens.trader }), 400);
    await expectConforms('proxyPut', await call('/proxy/echo/not-an-endpoint?listing=echo', { method: 'PUT', token: tokens.trader, body: {} }), 400);
  });

  it('paid calls: PUT, PATCH and DELETE carry a receipt of their method', async () => {
    for (const [id, method] of [
      ['proxyPut', 'PUT'],
      ['proxyPatch', 'PATCH'],
      ['proxyDelete', 'DELETE'],
    ] as const) {
      const res = await call('/proxy/echo/echo?listing=echo', { method, token: tokens.trader, ...(method === 'DELETE' ? {} : { body: { n: 1 } }) });
      const header = res.headers.get('x-proxygate-receipt');
      await expectConforms(id, res, 200);
      expect((decodeBase64Json(header ?? '') as JsonObject)['method']).toBe(method);
    }
  });

  it('account', async () => {
    await expectConforms('getBalance', await call('/v1/balance', { token: tokens.trader }), 200);
    await expectConforms('getBalance', await call('/v1/balance'), 401);
    await expectConforms('getBalance', await call('/v1/balance', { token: 'pg_live_EXAMPLEEXAMPLEEXAMPLEEXAMPLE00' }), 401);
    const usage = await expectConforms('listUsage', await call('/v1/usage?limit=5', { token: tokens.trader }), 200);
    expect(usage.data.length).toBeGreaterThan(0);
    await expectConforms('listUsage', await call('/v1/usage?service=echo&from=2020-01-01T00:00:00.000Z', { token: tokens.readOnly }), 200);
    await expectConforms('rateCall', await call('/v1/rate', { method: 'POST', token: tokens.trader, body: { request_id: requestId, is_positive: true } }), 200);
    await expectConforms('rateCall', await call('/v1/rate', { method: 'POST', token: tokens.trader, body: { request_id: 'req_missing', is_positive: true } }), 404);
    await expectConforms('rateCall', await call('/v1/rate', { method: 'POST', token: tokens.trader, body: { is_positive: 'yes' } }), 400);
    await expectConforms('rateCall', await call('/v1/rate', { method: 'POST', token: tokens.readOnly, body: { request_id: requestId, is_positive: true } }), 403);
  });

  it('tokens', async () => {
    await expectConforms('getTokenSelf', await call('/v1/tokens/self', { token: tokens.readOnly }), 200);
    await expectConforms('getTokenSelf', await call('/v1/tokens/self', { token: tokens.capped }), 200);
    await expectConforms('getTokenSelf', await call('/v1/tokens/self'), 401);
    const created = await expectConforms(
      'createToken',
      await call('/v1/tokens', { method: 'POST', token: tokens.trader, body: { name: 'spec-child', scopes: ['catalog:read', 'tokens:write'], spend_cap_micro_cents: 1000 } }),
      201,
    );
    expect(created.token).toMatch(/^pg_del_/);
    const escalation = await expectConforms(
      'createToken',
      await call('/v1/tokens', { method: 'POST', token: created.token, body: { scopes: ['trade'] } }),
      400,
    );
    expect(escalation.error).toBe('scope_escalation');
    await expectConforms('createToken', await call('/v1/tokens', { method: 'POST', token: tokens.readOnly, body: { scopes: ['catalog:read'] } }), 403);
    await expectConforms('listTokens', await call('/v1/tokens?limit=10', { token: tokens.trader }), 200);
    await expectConforms('revokeToken', await call(`/v1/tokens/${created.info.id}`, { method: 'DELETE', token: tokens.trader }), 200);
    await expectConforms('revokeToken', await call('/v1/tokens/tok_doesnotexist', { method: 'DELETE', token: tokens.trader }), 404);
    await expectConforms('getTokenSelf', await call('/v1/tokens/self', { token: created.token }), 401);
  });

  it('receipt log', async () => {
    const page = await expectConforms('listReceipts', await call('/v1/receipts?limit=2', { token: tokens.trader }), 200);
    expect(page.data.length).toBeGreaterThan(0);
    if (page.has_more) {
      await expectConforms('listReceipts', await call(`/v1/receipts?limit=2&cursor=${encodeURIComponent(page.cursor)}`, { token: tokens.trader }), 200);
    }
    await expectConforms('listReceipts', await call('/v1/receipts', { token: tokens.capped }), 200);
    await expectConforms('listReceipts', await call('/v1/receipts'), 401);
  });

  it('fault answers: 429 with Retry-After, 5xx', async () => {
    server.gateway.faults.inject({ kind: 'rate_limit', path: '/v1/pricing', retryAfter: 7 });
    const limited = await call('/v1/pricing');
    expect(limited.headers.get('retry-after')).toBe('7');
    await expectConforms('getPricing', limited, 429);
    server.gateway.faults.inject({ kind: 'server_error', status: 500, path: '/v1/categories' });
    await expectConforms('listCategories', await call('/v1/categories'), 500);
    server.gateway.faults.inject({ kind: 'server_error', status: 503, path: '/v1/apis' });
    await expectConforms('listApis', await call('/v1/apis'), 503);
    server.gateway.faults.inject({ kind: 'server_error', status: 502, path: '/proxy/echo' });
    await expectConforms('proxyGet', await call('/proxy/echo/echo?listing=echo', { token: tokens.trader }), 502);
  });

  it('sent no field or gateway header the spec does not declare', () => {
    expect([...undeclared].sort()).toEqual([]);
  });

  it('covered every operation and every shared response of the spec', () => {
    expect([...covered.keys()].sort()).toEqual([...operations.keys()].sort());
    const shared = Object.keys((doc['components'] as JsonObject)['responses'] as JsonObject).map(
      (name) => `#/components/responses/${name}`,
    );
    expect([...coveredResponses].sort()).toEqual(shared.sort());
  });
});
