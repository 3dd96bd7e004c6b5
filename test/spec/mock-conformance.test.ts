// Cross-check of two independent implementations of the contract: the mock gateway's real HTTP
// answers (bodies, statuses and headers) are validated against spec/openapi.yaml, in both of its
// profiles. An answer with a status the spec does not document for that operation fails; a field
// or gateway header the spec does not declare fails; in the public profile, anything the spec
// marks as an extension (`x-proxygate-extension`) fails, and extension routes must answer 404.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockListingId as id, PROFILES, type Profile } from '@proxygate-kit/server-mock';
import { startMockServer } from '@proxygate-kit/server-mock/serve';
import {
  createSpecValidator,
  deref,
  describeErrors,
  escapePointerToken,
  EXTENSION_MARKER,
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
/** Headers of the gateway's own vocabulary: each one it sends must be documented for that response. */
const GATEWAY_HEADER = /^(x-proxygate-|x-spendlimit-|x-receipt$|idempotent-|retry-after$|www-authenticate$)/;
const isExtension = (node: Json | undefined): boolean => isObject(node) && EXTENSION_MARKER in node;
const extensionOperations = new Set([...operations].filter(([, op]) => isExtension(op.node)).map(([name]) => name));

type MockServer = Awaited<ReturnType<typeof startMockServer>>;

interface CallOptions {
  method?: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

function operation(name: string): Operation {
  const op = operations.get(name);
  if (!op) throw new Error(`no operation ${name} in the spec`);
  return op;
}

function validateAt(pointer: string, value: unknown, what: string): void {
  const validate = validator.validatorAt(pointer);
  expect(validate(value), `${what}: ${describeErrors(validate.errors)}\n${JSON.stringify(value).slice(0, 800)}`).toBe(true);
}

function decodeBase64Json(value: string): unknown {
  return JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
}

/**
 * Keys of `value` whose schema property is marked as an extension (following $ref, allOf, anyOf,
 * oneOf), as JSON pointers: what the public profile must never send.
 */
function extensionKeys(schemaPointer: string, value: unknown): string[] {
  const found: string[] = [];
  const expand = (schema: Json): JsonObject[] => {
    const { node } = deref(doc, schema, '');
    if (!isObject(node)) return [];
    const parts = ['allOf', 'anyOf', 'oneOf'].flatMap((k) => (Array.isArray(node[k]) ? (node[k] as Json[]) : []));
    return [node, ...parts.flatMap((p) => expand(p))];
  };
  const visit = (schemas: Json[], at: unknown, path: string): void => {
    const resolved = schemas.flatMap((s) => expand(s));
    if (Array.isArray(at)) {
      const items = resolved.map((s) => s['items']).filter((s): s is JsonObject => isObject(s));
      if (items.length > 0) at.forEach((item, i) => visit(items, item, `${path}/${i}`));
      return;
    }
    if (!isObject(at)) return;
    for (const [key, child] of Object.entries(at)) {
      const subs = resolved.map((s) => (isObject(s['properties']) ? s['properties'][key] : undefined)).filter((s): s is Json => s !== undefined);
      if (subs.some((sub) => isExtension(sub) || isExtension(deref(doc, sub, '').node))) found.push(`${path}/${escapePointerToken(key)}`);
      else if (subs.length > 0) visit(subs, child, `${path}/${escapePointerToken(key)}`);
    }
  };
  visit([{ $ref: schemaPointer }], value, '');
  return found;
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

describe.each(PROFILES)('mock gateway answers conform to spec/openapi.yaml (%s profile)', (profile: Profile) => {
  const extended = profile === 'extended';
  let server: MockServer;
  let tokens: MockServer['demoTokens'];
  /** operationId -> statuses seen and validated, for the coverage assertions at the end. */
  const covered = new Map<string, Set<string>>();
  /** components/responses pointers validated at least once. */
  const coveredResponses = new Set<string>();
  /** Fields or gateway headers the mock sent that the spec does not declare: "<operationId> <status> <pointer>". */
  const undeclared = new Set<string>();
  /** Public profile: fields or headers the spec marks as extensions. */
  const leaked = new Set<string>();

  beforeAll(async () => {
    server = await startMockServer({ profile, port: 0, seed: `spec-conformance-${profile}` });
    tokens = server.demoTokens;
  });

  afterAll(async () => {
    await server?.close();
  });

  async function call(path: string, options: CallOptions = {}): Promise<Response> {
    const headers = new Headers(options.headers);
    if (options.token !== undefined) headers.set('authorization', `Bearer ${options.token}`);
    let body: string | undefined;
    if (options.body !== undefined) {
      headers.set('content-type', 'application/json');
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    }
    return fetch(new URL(path, server.url), { method: options.method ?? 'GET', headers, ...(body === undefined ? {} : { body }) });
  }

  /** Validates one header value against its header object (schema or content form). */
  function checkHeader(headerPointer: string, header: JsonObject, value: string, what: string): void {
    if (isObject(header['content'])) {
      const [type] = Object.keys(header['content']);
      const parsed = JSON.parse(value) as unknown;
      const pointer = `${headerPointer}/content/${escapePointerToken(type ?? '')}/schema`;
      validateAt(pointer, parsed, what);
      if (!extended) for (const key of extensionKeys(pointer, parsed)) leaked.add(`${what} ${key}`);
      return;
    }
    const schema = deref(doc, header['schema'] as Json, `${headerPointer}/schema`);
    const node = schema.node as JsonObject;
    const parsed: unknown = node['type'] === 'integer' ? Number(value) : value;
    validateAt(schema.pointer, parsed, what);
    if (node['contentEncoding'] === 'base64' && isObject(node['contentSchema'])) {
      const target = deref(doc, node['contentSchema'], `${schema.pointer}/contentSchema`);
      const decoded = decodeBase64Json(value);
      validateAt(target.pointer, decoded, `${what} (decoded)`);
      // The public wire carries v1/v2 receipts only.
      if (!extended && isObject(decoded)) expect(decoded['receipt_version'], `${what} receipt version`).not.toBe(3);
    }
  }

  /**
   * Checks one real answer against the spec: its status is documented for the operation, its body
   * matches that response's schema for its content type, and its documented headers are present
   * when required and valid when present. Returns the parsed body.
   */
  async function expectConforms(name: string, res: Response, expectedStatus: number): Promise<any> {
    const op = operation(name);
    const text = await res.text();
    expect(res.status, `${name} status; body: ${text.slice(0, 300)}`).toBe(expectedStatus);
    const response = responsesOf(doc, op).find((r) => r.status === String(res.status));
    expect(response, `${name} answered ${res.status}, which the spec does not document`).toBeDefined();
    if (!response) return undefined;
    const contentType = (res.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    let body: unknown;
    if (isObject(response.node['content'])) {
      expect(Object.keys(response.node['content']), `${name} ${res.status} content type`).toContain(contentType);
      const bodyPointer = `${response.pointer}/content/${escapePointerToken(contentType)}/schema`;
      body = contentType === 'application/json' ? JSON.parse(text) : text;
      validateAt(bodyPointer, body, `${name} ${res.status} body`);
      for (const key of undeclaredKeys(doc, bodyPointer, body)) undeclared.add(`${name} ${res.status} ${key.replace(/\/\d+(?=\/|$)/g, '/*')}`);
      if (!extended) for (const key of extensionKeys(bodyPointer, body)) leaked.add(`${name} ${res.status} ${key.replace(/\/\d+(?=\/|$)/g, '/*')}`);
    } else {
      expect(text, `${name} ${res.status} has no body`).toBe('');
    }
    for (const [headerName, raw] of Object.entries((response.node['headers'] ?? {}) as JsonObject)) {
      const header = deref(doc, raw, `${response.pointer}/headers/${escapePointerToken(headerName)}`);
      const value = res.headers.get(headerName);
      if ((header.node as JsonObject)['required'] === true) expect(value, `${name} ${res.status} header ${headerName}`).not.toBeNull();
      if (value === null) continue;
      checkHeader(header.pointer, header.node as JsonObject, value, `${name} ${res.status} header ${headerName}`);
      if (!extended && (isExtension(raw) || isExtension(header.node))) leaked.add(`${name} ${res.status} header ${headerName}`);
    }
    const documented = new Set(Object.keys((response.node['headers'] ?? {}) as JsonObject).map((h) => h.toLowerCase()));
    res.headers.forEach((_value, headerName) => {
      if (GATEWAY_HEADER.test(headerName) && !documented.has(headerName)) undeclared.add(`${name} ${res.status} header ${headerName}`);
    });
    if (!covered.has(name)) covered.set(name, new Set());
    covered.get(name)?.add(String(res.status));
    if (response.pointer.startsWith('#/components/responses/')) coveredResponses.add(response.pointer);
    return body;
  }

  const receiptOf = (res: Response): JsonObject => decodeBase64Json(res.headers.get('x-proxygate-receipt') ?? '') as JsonObject;
  const proxy = (ref: string, service: string, path: string, query = '') => `/proxy/${service}${path}?listing=${id(ref)}${query ? `&${query}` : ''}`;
  /** A token holding only the spending scope: the OAuth grant of the mock (no account scopes). */
  const spendOnly = () => server.gateway.issueOAuthToken([extended ? 'trade' : 'proxy'], 600).token;

  it('catalog', async () => {
    const page = await expectConforms('listApis', await call('/v1/apis?limit=2'), 200);
    expect(page.data).toHaveLength(2);
    await expectConforms('listApis', await call(`/v1/apis?limit=2&cursor=${encodeURIComponent(page.cursor)}`), 200);
    const filtered = await expectConforms('listApis', await call('/v1/apis?supports_streaming=true&sort=price_asc&verified=true&max_price=20000&min_uptime=90&category=ai,llm&q=chat'), 200);
    expect(filtered.data).toHaveLength(1);
    await expectConforms('listApis', await call('/v1/apis?pricing_model=per_token'), 200);
    await expectConforms('listApis', await call(`/v1/apis?listing_id=${id('chat-completions')}`), 200);
    await expectConforms('listApis', await call('/v1/apis?slug=web-search&seller_slug=seekr'), 200);
    await expectConforms('listApis', await call('/v1/apis?slug=Not_Kebab'), 400);
    await expectConforms('getApiDocs', await call(`/v1/apis/${id('weather-current')}/docs`), 200);
    await expectConforms('getApiDocs', await call(`/v1/apis/${id('echo')}/docs`), 200);
    await expectConforms('getApiDocs', await call('/v1/apis/echo/docs'), 400);
    await expectConforms('getApiDocs', await call(`/v1/apis/${id('time-now')}/docs`), 404);
    const pricing = await expectConforms('getPricing', await call('/v1/pricing?limit=3'), 200);
    await expectConforms('getPricing', await call(`/v1/pricing?limit=3&cursor=${pricing.cursor}`), 200);
    await expectConforms('getPricing', await call('/v1/pricing?service=llm'), 200);
    await expectConforms('listServices', await call('/v1/services'), 200);
    await expectConforms('listCategories', await call('/v1/categories?q=finance'), 200);
    await expectConforms('listCategories', await call('/v1/categories?limit=1'), 200);
  });

  it('meta', async () => {
    const health = await expectConforms('getHealth', await call('/health'), 200);
    expect('extensions' in health).toBe(extended);
    await call('/__mock/health', { method: 'POST', body: { status: 'degraded' } });
    await expectConforms('getHealth', await call('/health'), 503);
    await call('/__mock/health', { method: 'POST', body: { status: 'healthy' } });
    await expectConforms('getProtectedResourceMetadata', await call('/.well-known/oauth-protected-resource'), 200);
    const mcpMetadata = await expectConforms('getMcpProtectedResourceMetadata', await call('/.well-known/oauth-protected-resource/mcp'), 200);
    expect(mcpMetadata.resource).toBe(`${server.url}/mcp`);
  });

  it('MCP endpoint: JSON-RPC answers, notifications, 401 challenge and 403 scope', async () => {
    const accept = { accept: 'application/json, text/event-stream' };
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'spec-conformance', version: '0' } },
    };
    const init = await expectConforms('mcpPost', await call('/mcp', { method: 'POST', body: initialize, headers: accept }), 200);
    expect(init.result.serverInfo).toBeDefined();
    await expectConforms('mcpPost', await call('/mcp', { method: 'POST', body: { jsonrpc: '2.0', method: 'notifications/initialized' }, headers: accept }), 202);
    const toolCall = (name: string, args: object = {}) => ({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name, arguments: args } });
    const balance = await expectConforms('mcpPost', await call('/mcp', { method: 'POST', body: toolCall('check_balance'), headers: accept, token: tokens.readOnly }), 200);
    expect(balance.result.structuredContent.currency).toBe('lamports');
    const anonymous = await call('/mcp', { method: 'POST', body: toolCall('check_balance'), headers: accept });
    expect(anonymous.headers.get('www-authenticate')).toContain('resource_metadata=');
    await expectConforms('mcpPost', anonymous, 401);
    await expectConforms('mcpPost', await call('/mcp', { method: 'POST', body: toolCall('call_api', { listing_id: id('echo'), path: '/echo' }), headers: accept, token: tokens.readOnly }), 403);
    await expectConforms('mcpPost', await call('/mcp', { method: 'POST', body: initialize, headers: { accept: 'text/html' } }), 406);
    await expectConforms('mcpPost', await call('/mcp', { method: 'POST', body: '{"jsonrpc":', headers: accept }), 400);
  });

  it('paid calls: receipts as emitted, shield headers, spend limits, replays', async () => {
    const echo = await call(proxy('echo', 'echo', '/echo', 'x=1'), { token: tokens.trader });
    const receipt = receiptOf(echo);
    await expectConforms('proxyGet', echo, 200);
    expect(receipt['receipt_version']).toBe(extended ? 3 : undefined);
    expect(Number(receipt['amount'])).toBe(5_105);

    for (const [token, version] of [
      [tokens.traderV1, undefined],
      [tokens.traderV2, 2],
    ] as const) {
      const res = await call(proxy('echo', 'echo', '/echo'), { token });
      expect(receiptOf(res)['receipt_version']).toBe(version);
      await expectConforms('proxyGet', res, 200);
    }
    await call('/__mock/receipt-version', { method: 'POST', body: { version: 1, token_id: server.gateway.tokenIdOf(tokens.traderV1), tag_v1: true } });
    const tagged = await call(proxy('echo', 'echo', '/echo'), { token: tokens.traderV1 });
    expect(receiptOf(tagged)['receipt_version']).toBe(1);
    await expectConforms('proxyGet', tagged, 200);
    await call('/__mock/receipt-version', { method: 'POST', body: { version: extended ? 3 : 1, tag_v1: false } });

    const off = await call(proxy('weather-current', 'weather', '/forecast', 'city=Oslo'), { token: tokens.trader, headers: { 'x-proxygate-shield': 'off' } });
    expect(off.headers.get('x-proxygate-shield')).toBeNull();
    await expectConforms('proxyGet', off, 200);
    await expectConforms('proxyGet', await call('/proxy/search/search?q=x', { token: tokens.trader }), 200);
    await expectConforms('proxyGet', await call(proxy('link-directory', 'links', '/links'), { token: tokens.trader, headers: { 'x-proxygate-shield': 'strict' } }), 200);

    const capped = await call(proxy('echo', 'echo', '/echo'), { token: tokens.capped });
    expect(capped.headers.get('x-spendlimit-limit')).toBe('10000');
    await expectConforms('proxyGet', capped, 200);
    const overCap = await call(proxy('llm-stream', 'llm', '/chat'), { method: 'POST', token: tokens.capped, body: { prompt: 'hi' } });
    expect(overCap.headers.get('retry-after')).toBeNull();
    expect((await expectConforms('proxyPost', overCap, 429)).error).toBe('spend_limit_exceeded');

    const chat = await call(proxy('chat-completions', 'llm', '/chat/completions'), { method: 'POST', token: tokens.trader, body: { messages: [{ role: 'user', content: 'hello there' }] } });
    await expectConforms('proxyPost', chat, 200);

    await call('/__mock/receipt-header', { method: 'POST', body: { name: 'x-receipt' } });
    const plain = await call(proxy('echo', 'echo', '/echo'), { method: 'POST', token: tokens.trader, body: { a: 1 } });
    expect(plain.headers.get('x-receipt')).not.toBeNull();
    await expectConforms('proxyPost', plain, 200);
    await call('/__mock/receipt-header', { method: 'POST', body: { name: 'x-proxygate-receipt' } });

    const headers = { 'Idempotency-Key': `spec-conformance-${profile}` };
    const first = await call(proxy('echo', 'echo', '/echo'), { method: 'POST', token: tokens.trader, body: { a: 1 }, headers });
    await expectConforms('proxyPost', first, 200);
    const again = await call(proxy('echo', 'echo', '/echo'), { method: 'POST', token: tokens.trader, body: { a: 1 }, headers });
    expect(again.headers.get('idempotent-replayed')).toBe(extended ? 'true' : null);
    await expectConforms('proxyPost', again, 200);
    const other = await call(proxy('echo', 'echo', '/echo'), { method: 'POST', token: tokens.trader, body: { a: 2 }, headers });
    await expectConforms('proxyPost', other, extended ? 409 : 200);
  });

  it('paid calls: the SSE stream carries its receipt as the profile says', async () => {
    const res = await call(proxy('llm-stream', 'llm', '/chat'), { method: 'POST', token: tokens.trader, body: { prompt: 'hi' } });
    const header = res.headers.get('x-proxygate-receipt');
    const text: string = await expectConforms('proxyPost', res, 200);
    const events = parseSse(text);
    if (!extended) {
      expect(header).not.toBeNull();
      expect(events.map((e) => e.event)).not.toContain('proxygate.receipt');
      return;
    }
    expect(header).toBeNull();
    const last = events.at(-1);
    expect(last?.event).toBe('proxygate.receipt');
    const data = JSON.parse(last?.data ?? 'null') as JsonObject;
    validateAt('#/components/schemas/SseReceiptEvent', data, 'SSE receipt event');
    validateAt('#/components/schemas/ReceiptV3', decodeBase64Json(String(data['receipt'])), 'SSE receipt');
  });

  it('paid calls: shield block, payment, scope, listing and availability errors', async () => {
    const blocked = await call(proxy('product-reviews', 'reviews', '/reviews'), { token: tokens.trader, headers: { 'x-proxygate-shield': 'strict' } });
    const blockedReceipt = receiptOf(blocked);
    const body = await expectConforms('proxyGet', blocked, 422);
    expect([body.error, body.refunded, Number(blockedReceipt['amount'])]).toEqual(['response_blocked', true, 0]);

    const broke = await expectConforms('proxyGet', await call(proxy('echo', 'echo', '/echo'), { token: tokens.broke }), 402);
    expect(broke.error).toBe('insufficient_credits');
    const forbidden = await call(proxy('echo', 'echo', '/echo'), { token: tokens.readOnly });
    expect(forbidden.headers.get('www-authenticate')).toBe(extended ? 'Bearer error="insufficient_scope", scope="trade"' : null);
    expect((await expectConforms('proxyGet', forbidden, 403)).error).toBe(extended ? 'insufficient_scope' : 'forbidden');
    await expectConforms('proxyGet', await call(proxy('echo', 'echo', '/echo')), 401);
    await expectConforms('proxyGet', await call('/proxy/echo/echo?listing=00000000-0000-4000-8000-000000000000', { token: tokens.trader }), 404);
    await expectConforms('proxyGet', await call('/proxy/nothing/here', { token: tokens.trader }), 404);
    await expectConforms('proxyGet', await call(proxy('echo', 'echo', '/not-an-endpoint'), { token: tokens.trader }), 400);
    await expectConforms('proxyGet', await call(proxy('echo', 'echo', '/echo'), { token: tokens.trader, headers: { 'x-proxygate-shield': 'paranoid' } }), 400);
    await expectConforms('proxyPut', await call(proxy('echo', 'echo', '/not-an-endpoint'), { method: 'PUT', token: tokens.trader, body: {} }), 400);
    server.gateway.setListingAvailable('fx-rates', false);
    const down = await call(proxy('fx-rates', 'finance', '/rates'), { token: tokens.trader });
    expect(down.headers.get('retry-after')).toBe('30');
    await expectConforms('proxyGet', down, 503);
    server.gateway.setListingAvailable('fx-rates', true);
  });

  it('paid calls: PUT, PATCH and DELETE carry a receipt', async () => {
    for (const [name, method] of [
      ['proxyPut', 'PUT'],
      ['proxyPatch', 'PATCH'],
      ['proxyDelete', 'DELETE'],
    ] as const) {
      const res = await call(proxy('echo', 'echo', '/echo'), { method, token: tokens.trader, ...(method === 'DELETE' ? {} : { body: { n: 1 } }) });
      const receipt = receiptOf(res);
      await expectConforms(name, res, 200);
      if (extended) expect(receipt['method']).toBe(method);
    }
  });

  it('account', async () => {
    await expectConforms('getMe', await call('/v1/me', { token: tokens.readOnly }), 200);
    await expectConforms('getMe', await call('/v1/me'), 401);
    await expectConforms('getBalance', await call('/v1/balance', { token: tokens.trader }), 200);
    await expectConforms('getBalance', await call('/v1/balance'), 401);
    await expectConforms('getBalance', await call('/v1/balance', { token: 'pg_live_EXAMPLEEXAMPLEEXAMPLEEXAMPLE00' }), 401);
    await expectConforms('getBalance', await call('/v1/balance', { token: spendOnly() }), 403);
    await expectConforms('getWalletLimits', await call('/v1/wallet/limits', { token: tokens.readOnly }), 200);
    await expectConforms('getWalletLimits', await call('/v1/wallet/limits'), 401);
    await expectConforms('getWalletLimits', await call('/v1/wallet/limits', { token: spendOnly() }), 403);

    const usage = await expectConforms('listUsage', await call('/v1/usage?limit=2', { token: tokens.trader }), 200);
    expect(usage.usage.length).toBeGreaterThan(0);
    expect('request_id' in usage.usage[0]).toBe(extended);
    await expectConforms('listUsage', await call(`/v1/usage?limit=2&cursor=${usage.cursor}`, { token: tokens.trader }), 200);
    await expectConforms('listUsage', await call('/v1/usage?service=llm&model=mock-chat-1&from=2020-01-01T00:00:00Z', { token: tokens.readOnly }), 200);
    await expectConforms('listUsage', await call('/v1/usage'), 401);
    await expectConforms('listUsage', await call('/v1/usage', { token: spendOnly() }), 403);

    const paid = await call(proxy('echo', 'echo', '/echo'), { token: tokens.trader });
    const requestId = String(receiptOf(paid)['request_id']);
    await paid.text();
    const rate = await expectConforms('rateCall', await call('/v1/rate', { method: 'POST', token: tokens.trader, body: { request_id: requestId, is_positive: true } }), 200);
    expect(rate).toEqual({ success: true, is_update: false });
    await expectConforms('rateCall', await call('/v1/rate', { method: 'POST', token: tokens.trader, body: { request_id: '00000000-0000-4000-8000-000000000000', is_positive: true } }), 404);
    await expectConforms('rateCall', await call('/v1/rate', { method: 'POST', token: tokens.trader, body: { is_positive: 'yes' } }), 400);
    await expectConforms('rateCall', await call('/v1/rate', { method: 'POST', token: tokens.readOnly, body: { request_id: requestId, is_positive: true } }), 403);
    await expectConforms('rateCall', await call('/v1/rate', { method: 'POST', token: tokens.broke, body: { request_id: requestId, is_positive: true } }), 403);
    await expectConforms('rateCall', await call('/v1/rate', { method: 'POST', body: { request_id: requestId, is_positive: true } }), 401);
  });

  it(extended ? 'tokens (extension)' : 'tokens: no such routes (404)', async () => {
    if (!extended) {
      for (const [method, path] of [['GET', '/v1/tokens/self'], ['GET', '/v1/tokens'], ['POST', '/v1/tokens'], ['DELETE', '/v1/tokens/tok_x']] as const) {
        const res = await call(path, { method, token: tokens.trader, ...(method === 'POST' ? { body: { scopes: ['trade'] } } : {}) });
        expect([res.status, ((await res.json()) as { error: string }).error], `${method} ${path}`).toEqual([404, 'not_found']);
      }
      return;
    }
    await expectConforms('getTokenSelf', await call('/v1/tokens/self', { token: tokens.readOnly }), 200);
    await expectConforms('getTokenSelf', await call('/v1/tokens/self', { token: tokens.capped }), 200);
    await expectConforms('getTokenSelf', await call('/v1/tokens/self'), 401);
    const created = await expectConforms(
      'createToken',
      await call('/v1/tokens', { method: 'POST', token: tokens.trader, body: { name: 'spec-child', scopes: ['catalog:read', 'tokens:write'], spend_cap_micro_usd: 1000, listings: [id('echo')] } }),
      201,
    );
    expect(created.token).toMatch(/^pg_del_/);
    const escalation = await expectConforms('createToken', await call('/v1/tokens', { method: 'POST', token: created.token, body: { scopes: ['trade'] } }), 400);
    expect(escalation.error).toBe('scope_escalation');
    await expectConforms('createToken', await call('/v1/tokens', { method: 'POST', token: tokens.readOnly, body: { scopes: ['catalog:read'] } }), 403);
    await expectConforms('listTokens', await call('/v1/tokens?limit=10', { token: tokens.trader }), 200);
    await expectConforms('revokeToken', await call(`/v1/tokens/${created.info.id}`, { method: 'DELETE', token: tokens.trader }), 200);
    await expectConforms('revokeToken', await call('/v1/tokens/tok_doesnotexist', { method: 'DELETE', token: tokens.trader }), 404);
    await expectConforms('getTokenSelf', await call('/v1/tokens/self', { token: created.token }), 401);
    const narrowed = server.gateway.createToken(server.gateway.authenticate(`Bearer ${tokens.trader}`), { scopes: ['trade'], listings: [id('echo')] });
    const notAllowed = await expectConforms('proxyGet', await call(proxy('fx-rates', 'finance', '/rates'), { token: narrowed.token }), 403);
    expect(notAllowed.error).toBe('listing_not_allowed');
  });

  it(extended ? 'receipt log and keys (extension)' : 'receipt log and keys: no such routes (404)', async () => {
    if (!extended) {
      for (const path of ['/v1/receipts', '/.well-known/proxygate-receipt-keys']) {
        const res = await call(path, { token: tokens.trader });
        expect([res.status, ((await res.json()) as { error: string }).error], path).toEqual([404, 'not_found']);
      }
      return;
    }
    const page = await expectConforms('listReceipts', await call('/v1/receipts?limit=2', { token: tokens.trader }), 200);
    expect(page.data.length).toBeGreaterThan(0);
    await expectConforms('listReceipts', await call(`/v1/receipts?limit=2&cursor=${encodeURIComponent(page.cursor)}`, { token: tokens.trader }), 200);
    await expectConforms('listReceipts', await call('/v1/receipts?cursor=forged', { token: tokens.trader }), 400);
    await expectConforms('listReceipts', await call('/v1/receipts', { token: tokens.capped }), 200);
    await expectConforms('listReceipts', await call('/v1/receipts?token_id=tok_nope', { token: tokens.trader }), 404);
    await expectConforms('listReceipts', await call('/v1/receipts'), 401);
    await expectConforms('listReceipts', await call('/v1/receipts', { token: spendOnly() }), 403);
    server.gateway.rotateKeys();
    await expectConforms('getReceiptKeys', await call('/.well-known/proxygate-receipt-keys'), 200);
  });

  it('fault answers: 429 with Retry-After, 5xx in the published shapes', async () => {
    const inject = (spec: object) => server.gateway.faults.inject(spec as never);
    inject({ kind: 'rate_limit', path: '/v1/pricing', retryAfter: 7 });
    const limited = await call('/v1/pricing');
    expect(limited.headers.get('retry-after')).toBe('7');
    await expectConforms('getPricing', limited, 429);
    inject({ kind: 'rate_limit', path: '/proxy/echo', retryAfter: 2 });
    expect((await expectConforms('proxyGet', await call(proxy('echo', 'echo', '/echo'), { token: tokens.trader }), 429)).error).toBe('rate_limit_exceeded');
    for (const [name, path, token] of [
      ['listApis', '/v1/apis', undefined],
      ['listServices', '/v1/services', undefined],
      ['listCategories', '/v1/categories', undefined],
      ['listUsage', '/v1/usage', tokens.trader],
      ['getApiDocs', `/v1/apis/${id('echo')}/docs`, undefined],
      ['getMe', '/v1/me', tokens.trader],
    ] as const) {
      inject({ kind: 'server_error', status: 500, path });
      await expectConforms(name, await call(path, token === undefined ? {} : { token }), 500);
    }
    for (const status of [500, 502, 503]) {
      inject({ kind: 'server_error', status, path: '/proxy/echo' });
      await expectConforms('proxyGet', await call(proxy('echo', 'echo', '/echo'), { token: tokens.trader }), status);
    }
    // The daily cap of a free endpoint: 429 daily_free_cap with Retry-After.
    const weather = { token: tokens.trader, headers: { 'x-proxygate-shield': 'off' } };
    for (let i = 0; i < 100; i++) await (await call(proxy('weather-alerts', 'weather', '/alerts'), weather)).text();
    const capped = await call(proxy('weather-alerts', 'weather', '/alerts'), weather);
    expect((await expectConforms('proxyGet', capped, 429)).error).toBe('daily_free_cap');
  });

  it('sent no field or gateway header the spec does not declare', () => {
    expect([...undeclared].sort()).toEqual([]);
  });

  it(extended ? 'covered every operation and every shared response of the spec' : 'sent nothing the spec marks as an extension, and covered every public operation and response', () => {
    if (!extended) expect([...leaked].sort()).toEqual([]);
    const wanted = [...operations.keys()].filter((name) => extended || !extensionOperations.has(name));
    expect([...covered.keys()].sort()).toEqual(wanted.sort());
    const responses = (doc['components'] as JsonObject)['responses'] as JsonObject;
    const shared = new Set<string>();
    for (const name of wanted) {
      for (const raw of Object.values(operation(name).node['responses'] as JsonObject)) {
        const ref = isObject(raw) ? raw['$ref'] : undefined;
        if (typeof ref === 'string' && (extended || !isExtension(responses[ref.split('/').pop() ?? '']))) shared.add(ref);
      }
    }
    expect([...coveredResponses].sort()).toEqual([...shared].sort());
  });
});
