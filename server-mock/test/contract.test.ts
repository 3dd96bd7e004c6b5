// Cross-checks the mock against spec/openapi.yaml: every operation of the spec is served, and its
// answers (bodies, documented headers, the receipt inside x-proxygate-receipt) validate against
// the spec's own schemas with a JSON Schema 2020-12 validator.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { useMock, type CallOptions, type MockHarness } from './helpers.js';

interface Operation {
  operationId: string;
  responses: Record<string, { $ref?: string; content?: Record<string, unknown>; headers?: Record<string, Header> }>;
}
interface Header {
  $ref?: string;
  required?: boolean;
  schema?: unknown;
}
type Spec = { paths: Record<string, Record<string, Operation>>; components: { responses: Record<string, unknown>; headers: Record<string, Header> } };

const specPath = fileURLToPath(new URL('../../spec/openapi.yaml', import.meta.url));
const spec = yaml.load(readFileSync(specPath, 'utf8')) as Spec;
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
addFormats(ajv);
ajv.addSchema(spec as object, 'openapi.json');

// The MCP endpoint and its metadata are another engineer's handlers (handlers/mcp.ts).
const NOT_OURS = new Set(['getMcpProtectedResourceMetadata', 'mcpPost']);
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

const pointer = (...parts: string[]): string => `openapi.json#/${parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;

function operations(): { path: string; method: string; op: Operation }[] {
  return Object.entries(spec.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({ path, method, op: item[method] as Operation })),
  );
}

function validate(ref: string, value: unknown): string[] {
  const check = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
  return check(value) ? [] : (check.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/** Validates a live answer against the response the spec documents for its status. */
async function checkAgainstSpec(path: string, method: string, op: Operation, response: Response): Promise<void> {
  const status = String(response.status);
  let responseDoc = op.responses[status];
  let base = ['paths', path, method, 'responses', status];
  expect(responseDoc, `${op.operationId} documents ${status}`).toBeDefined();
  if (responseDoc?.$ref) {
    const name = responseDoc.$ref.split('/').pop() ?? '';
    base = ['components', 'responses', name];
    responseDoc = spec.components.responses[name] as typeof responseDoc;
  }
  const contentType = response.headers.get('content-type') ?? '';
  const text = await response.text();
  if (contentType.includes('application/json') && responseDoc?.content?.['application/json']) {
    const errors = validate(pointer(...base, 'content', 'application/json', 'schema'), JSON.parse(text));
    expect(errors, `${op.operationId} ${status} body`).toEqual([]);
  }
  for (const [name, declared] of Object.entries(responseDoc?.headers ?? {})) {
    const headerName = declared.$ref ? declared.$ref.split('/').pop() ?? '' : name;
    const header = declared.$ref ? spec.components.headers[headerName] : declared;
    const value = response.headers.get(name);
    if (value === null) {
      expect(header?.required ?? false, `${op.operationId} ${status} header ${name} is required`).toBe(false);
      continue;
    }
    if (name.toLowerCase() === 'x-proxygate-receipt') {
      const receipt = JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as unknown;
      expect(validate('openapi.json#/components/schemas/Receipt', receipt), `${op.operationId} receipt`).toEqual([]);
      continue;
    }
    if (name.toLowerCase() === 'x-receipt') continue;
    const schemaPointer = declared.$ref ? pointer('components', 'headers', headerName, 'schema') : pointer(...base, 'headers', name, 'schema');
    const asNumber = /^\d+$/.test(value) ? Number(value) : value;
    const errors = validate(schemaPointer, value);
    const numericErrors = validate(schemaPointer, asNumber);
    expect(errors.length === 0 || numericErrors.length === 0, `${op.operationId} header ${name}=${value}: ${errors.join('; ')}`).toBe(true);
  }
}

type Recipe = (t: MockHarness) => Promise<[string, CallOptions]>;

async function requestIdOfACall(t: MockHarness): Promise<string> {
  const call = await t.fetch('/proxy/echo/echo?listing=echo', { token: t.mock.demoTokens.trader });
  return (JSON.parse(Buffer.from(call.headers.get('x-proxygate-receipt') ?? '', 'base64').toString()) as { request_id: string }).request_id;
}

// One or more concrete requests per operation, covering success and typical error answers.
const RECIPES: Record<string, Recipe[]> = {
  listApis: [async () => ['/v1/apis?limit=3&sort=popular', {}], async () => ['/v1/apis?limit=0', {}]],
  getApi: [async () => ['/v1/apis/weather-current', {}], async () => ['/v1/apis/lst_missing', {}]],
  getApiDocs: [async () => ['/v1/apis/llm-stream/docs', {}]],
  getPricing: [async () => ['/v1/pricing', {}]],
  listServices: [async () => ['/v1/services', {}]],
  listCategories: [async () => ['/v1/categories', {}]],
  getBalance: [async (t) => ['/v1/balance', { token: t.mock.demoTokens.readOnly }], async () => ['/v1/balance', {}]],
  listUsage: [
    async (t) => {
      await requestIdOfACall(t);
      return ['/v1/usage?limit=5', { token: t.mock.demoTokens.trader }];
    },
  ],
  rateCall: [
    async (t) => ['/v1/rate', { token: t.mock.demoTokens.trader, body: { request_id: await requestIdOfACall(t), is_positive: true } }],
    async (t) => ['/v1/rate', { token: t.mock.demoTokens.readOnly, body: { request_id: 'req_x', is_positive: true } }],
  ],
  getTokenSelf: [async (t) => ['/v1/tokens/self', { token: t.mock.demoTokens.capped }]],
  listTokens: [async (t) => ['/v1/tokens', { token: t.mock.demoTokens.trader }], async (t) => ['/v1/tokens', { token: t.mock.demoTokens.readOnly }]],
  createToken: [
    async (t) => ['/v1/tokens', { token: t.mock.demoTokens.trader, body: { name: 'c', scopes: ['trade'], spend_cap_micro_cents: 10_000, listings: ['echo'] } }],
    async (t) => ['/v1/tokens', { token: t.mock.demoTokens.capped, body: { scopes: ['trade'] } }],
  ],
  revokeToken: [
    async (t) => {
      const minted = await t.json<{ info: { id: string } }>('/v1/tokens', { token: t.mock.demoTokens.trader, body: { scopes: ['trade'] } });
      return [`/v1/tokens/${minted.body.info.id}`, { token: t.mock.demoTokens.trader, method: 'DELETE' }];
    },
  ],
  proxyGet: [
    async (t) => ['/proxy/weather/current?listing=weather-current&city=Lisbon', { token: t.mock.demoTokens.capped }],
    async (t) => ['/proxy/reviews/reviews?listing=product-reviews', { token: t.mock.demoTokens.trader, headers: { 'x-proxygate-shield': 'strict' } }],
    async (t) => ['/proxy/echo/echo?listing=echo', { token: t.mock.demoTokens.broke }],
    async (t) => ['/proxy/echo/nope?listing=echo', { token: t.mock.demoTokens.trader }],
    async (t) => {
      t.mock.gateway.setListingAvailable('fx-rates', false);
      return ['/proxy/finance/rates?listing=fx-rates', { token: t.mock.demoTokens.trader }];
    },
  ],
  proxyPost: [
    async (t) => ['/proxy/echo/echo?listing=echo', { token: t.mock.demoTokens.traderV2, body: { city: 'Lisbon' } }],
    async (t) => {
      await t.fetch('/proxy/echo/echo?listing=echo', { token: t.mock.demoTokens.trader, body: 'a', headers: { 'idempotency-key': 'k' } });
      return ['/proxy/echo/echo?listing=echo', { token: t.mock.demoTokens.trader, body: 'b', headers: { 'idempotency-key': 'k' } }];
    },
    async (t) => ['/proxy/llm/chat?listing=llm-stream', { token: t.mock.demoTokens.trader, body: { prompt: 'hi' } }],
  ],
  proxyPut: [async (t) => ['/proxy/echo/echo?listing=echo', { token: t.mock.demoTokens.traderV1, method: 'PUT', body: 'x' }]],
  proxyPatch: [async (t) => ['/proxy/echo/echo?listing=echo', { token: t.mock.demoTokens.trader, method: 'PATCH', body: 'x' }]],
  proxyDelete: [async (t) => ['/proxy/echo/echo?listing=echo', { token: t.mock.demoTokens.trader, method: 'DELETE' }]],
  listReceipts: [
    async (t) => {
      await requestIdOfACall(t);
      await requestIdOfACall(t);
      return ['/v1/receipts?limit=1', { token: t.mock.demoTokens.trader }];
    },
  ],
  getReceiptKeys: [
    async (t) => {
      t.mock.rotateKeys();
      t.mock.gateway.revokeKey(t.mock.gateway.keySet().keys[0]?.kid ?? '');
      return ['/.well-known/proxygate-receipt-keys', {}];
    },
  ],
  getHealth: [async () => ['/health', {}]],
  getProtectedResourceMetadata: [async () => ['/.well-known/oauth-protected-resource', {}]],
};

const t = useMock({ seed: 'contract-tests' });

describe('contract with spec/openapi.yaml', () => {
  it('has a recipe for every operation of the spec (new operations must be implemented here)', () => {
    const specified = operations()
      .map(({ op }) => op.operationId)
      .filter((id) => !NOT_OURS.has(id));
    expect(Object.keys(RECIPES).sort()).toEqual(specified.sort());
  });

  for (const { path, method, op } of operations()) {
    const recipes = RECIPES[op.operationId];
    if (!recipes) continue;
    it(`${op.operationId}: answers validate against the spec`, async () => {
      for (const recipe of recipes) {
        const [url, options] = await recipe(t);
        const response = await t.fetch(url, { method: method.toUpperCase(), ...options });
        await checkAgainstSpec(path, method, op, response);
      }
    });
  }
});
