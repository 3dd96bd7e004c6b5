// The contract's own guarantees: every operation the packages code against is there, named,
// scoped and documented with examples that match their schemas.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  createSpecValidator,
  deref,
  describeErrors,
  escapePointerToken,
  examplesOf,
  isObject,
  listOperations,
  loadSpec,
  resolvePointer,
  responsesOf,
  specPath,
  type Json,
  type JsonObject,
} from './openapi-doc.js';

const doc = loadSpec();
const operations = listOperations(doc);
const validator = createSpecValidator(doc);

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Scope each operation needs (spec/README.md "Operation -> scope"); null = no token at all. */
const EXPECTED_SCOPE: Record<string, string | null | 'any-token' | 'optional-token'> = {
  listApis: null,
  getApi: null,
  getApiDocs: null,
  getPricing: null,
  listServices: null,
  listCategories: null,
  getBalance: 'account:read',
  listUsage: 'account:read',
  rateCall: 'trade',
  getTokenSelf: 'any-token',
  listTokens: 'tokens:write',
  createToken: 'tokens:write',
  revokeToken: 'tokens:write',
  proxyGet: 'trade',
  proxyPost: 'trade',
  proxyPut: 'trade',
  proxyPatch: 'trade',
  proxyDelete: 'trade',
  listReceipts: 'account:read',
  getReceiptKeys: null,
  getHealth: null,
  getProtectedResourceMetadata: null,
  getMcpProtectedResourceMetadata: null,
  mcpPost: 'optional-token',
};

const EXPECTED_ROUTES: Record<string, string> = {
  listApis: 'get /v1/apis',
  getApi: 'get /v1/apis/{listingId}',
  getApiDocs: 'get /v1/apis/{listingId}/docs',
  getPricing: 'get /v1/pricing',
  listServices: 'get /v1/services',
  listCategories: 'get /v1/categories',
  getBalance: 'get /v1/balance',
  listUsage: 'get /v1/usage',
  rateCall: 'post /v1/rate',
  getTokenSelf: 'get /v1/tokens/self',
  listTokens: 'get /v1/tokens',
  createToken: 'post /v1/tokens',
  revokeToken: 'delete /v1/tokens/{tokenId}',
  proxyGet: 'get /proxy/{service}/{path}',
  proxyPost: 'post /proxy/{service}/{path}',
  proxyPut: 'put /proxy/{service}/{path}',
  proxyPatch: 'patch /proxy/{service}/{path}',
  proxyDelete: 'delete /proxy/{service}/{path}',
  listReceipts: 'get /v1/receipts',
  getReceiptKeys: 'get /.well-known/proxygate-receipt-keys',
  getHealth: 'get /health',
  getProtectedResourceMetadata: 'get /.well-known/oauth-protected-resource',
  getMcpProtectedResourceMetadata: 'get /.well-known/oauth-protected-resource/mcp',
  mcpPost: 'post /mcp',
};

/** Statuses whose answer has no body by definition (no example possible). */
const NO_BODY_STATUSES = new Set(['202', '204']);

function operationId(node: JsonObject): string {
  const id = node['operationId'];
  return typeof id === 'string' ? id : '';
}

/** Visits every schema-like object under `node`, with its JSON pointer. */
function walk(node: Json, pointer: string, visit: (value: JsonObject, pointer: string) => void): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => walk(item, `${pointer}/${i}`, visit));
  } else if (isObject(node)) {
    visit(node, pointer);
    for (const [key, value] of Object.entries(node)) walk(value, `${pointer}/${escapePointerToken(key)}`, visit);
  }
}

describe('spec/openapi.yaml', () => {
  it('is OpenAPI 3.1 with the six tags', () => {
    expect(String(doc['openapi'])).toMatch(/^3\.1\.\d+$/);
    const tags = (doc['tags'] as JsonObject[]).map((t) => t['name']);
    expect(tags.sort()).toEqual(['account', 'catalog', 'meta', 'proxy', 'receipts', 'tokens']);
  });

  it('has exactly the operations of the contract, each at its route', () => {
    const routes = Object.fromEntries(operations.map((op) => [operationId(op.node), `${op.method} ${op.path}`]));
    expect(routes).toEqual(EXPECTED_ROUTES);
  });

  it('gives every operation a unique camelCase operationId, one known tag and a summary', () => {
    const tagNames = new Set((doc['tags'] as JsonObject[]).map((t) => t['name']));
    const ids = operations.map((op) => operationId(op.node));
    expect(new Set(ids).size).toBe(ids.length);
    for (const op of operations) {
      expect(operationId(op.node), op.pointer).toMatch(/^[a-z][a-zA-Z0-9]*$/);
      const tags = op.node['tags'];
      expect(Array.isArray(tags) && tags.length === 1 && tagNames.has(tags[0] as string), op.pointer).toBe(true);
      expect(typeof op.node['summary'], op.pointer).toBe('string');
    }
  });

  it('states the scope of every operation in its security requirement', () => {
    const schemes = (doc['components'] as JsonObject)['securitySchemes'] as JsonObject;
    expect(schemes['bearerAuth']).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const op of operations) {
      const id = operationId(op.node);
      const expected = EXPECTED_SCOPE[id];
      const security = op.node['security'];
      expect(Array.isArray(security), `${id} declares security`).toBe(true);
      if (expected === null) expect(security, id).toEqual([]);
      else if (expected === 'any-token') expect(security, id).toEqual([{ bearerAuth: [] }]);
      else if (expected === 'optional-token') expect(security, id).toEqual([{}, { bearerAuth: [] }]);
      else {
        expect(security, id).toEqual([{ bearerAuth: [expected] }]);
        expect(String(op.node['description']), `${id} names its scope in prose too`).toContain(`\`${expected}\``);
      }
    }
  });

  it('has an example in every media type of every response', () => {
    let checked = 0;
    let responses = 0;
    for (const op of operations) {
      for (const response of responsesOf(doc, op)) {
        if (NO_BODY_STATUSES.has(response.status)) {
          expect(response.node['content'], `${operationId(op.node)} ${response.status} has no body`).toBeUndefined();
          continue;
        }
        responses += 1;
        const content = response.node['content'];
        expect(isObject(content), `${operationId(op.node)} ${response.status} has content`).toBe(true);
        for (const [type, mediaType] of Object.entries(content as JsonObject)) {
          expect(examplesOf(doc, mediaType as JsonObject).size, `${operationId(op.node)} ${response.status} ${type}`).toBeGreaterThan(0);
          checked += 1;
        }
      }
    }
    expect(responses).toBeGreaterThan(100);
    expect(checked).toBeGreaterThanOrEqual(responses);
  });

  it('has examples that validate against their schemas', () => {
    let checked = 0;
    for (const op of operations) {
      for (const response of responsesOf(doc, op)) {
        for (const [type, mediaType] of Object.entries((response.node['content'] ?? {}) as JsonObject)) {
          if (type !== 'application/json') continue;
          const validate = validator.validatorAt(`${response.pointer}/content/${escapePointerToken(type)}/schema`);
          for (const [name, value] of examplesOf(doc, mediaType as JsonObject)) {
            const ok = validate(value);
            expect(ok, `${operationId(op.node)} ${response.status} ${name}: ${describeErrors(validate.errors)}`).toBe(true);
            checked += 1;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('answers every error status with an error schema, 401 with WWW-Authenticate and 429 with Retry-After', () => {
    const errorRefs = new Set([
      '#/components/schemas/Error',
      '#/components/schemas/JsonRpcMessage', // only MCP transport errors (McpTransportError)
      '#/components/schemas/InsufficientScopeError',
      '#/components/schemas/ShieldBlockError',
    ]);
    for (const op of operations) {
      const statuses = responsesOf(doc, op).map((r) => r.status);
      expect(statuses.some((s) => s.startsWith('2')), operationId(op.node)).toBe(true);
      expect(statuses, `${operationId(op.node)} documents rate limiting`).toContain('429');
      for (const response of responsesOf(doc, op)) {
        if (!/^[45]/.test(response.status)) continue;
        const schema = ((response.node['content'] as JsonObject)['application/json'] as JsonObject)['schema'] as JsonObject;
        const refs = [schema, ...((schema['anyOf'] as JsonObject[] | undefined) ?? [])].map((s) => s['$ref']);
        expect(refs.some((r) => typeof r === 'string' && errorRefs.has(r)), `${operationId(op.node)} ${response.status}`).toBe(true);
        const headers = (response.node['headers'] ?? {}) as JsonObject;
        const requiredHeader = (name: string) => {
          expect(Object.keys(headers), `${operationId(op.node)} ${response.status}`).toContain(name);
          expect(deref(doc, headers[name] as Json, '').node, `${operationId(op.node)} ${response.status} ${name}`).toMatchObject({ required: true });
        };
        if (response.status === '401') requiredHeader('WWW-Authenticate');
        if (response.status === '429') requiredHeader('Retry-After');
      }
    }
  });

  it('declares the paid-call headers', () => {
    const proxy = operations.filter((op) => op.path.startsWith('/proxy/'));
    expect(proxy.map((op) => op.method).sort()).toEqual(['delete', 'get', 'patch', 'post', 'put']);
    const pathItem = (doc['paths'] as JsonObject)['/proxy/{service}/{path}'] as JsonObject;
    for (const op of proxy) {
      const parameters = [...(pathItem['parameters'] as Json[]), ...(op.node['parameters'] as Json[])].map(
        (p) => deref(doc, p, '').node as JsonObject,
      );
      const names = parameters.map((p) => `${p['in']}:${String(p['name']).toLowerCase()}`);
      expect(names).toEqual(expect.arrayContaining(['query:listing', 'header:x-proxygate-shield', 'header:idempotency-key']));
      const ok = responsesOf(doc, op).find((r) => r.status === '200');
      expect(Object.keys((ok?.node['headers'] ?? {}) as JsonObject).sort()).toEqual([
        'idempotent-replayed',
        'x-proxygate-receipt',
        'x-proxygate-shield',
        'x-proxygate-shield-action',
        'x-proxygate-shield-flags',
        'x-proxygate-shield-score',
        'x-receipt',
        'x-spendlimit-limit',
        'x-spendlimit-remaining',
      ]);
      expect(Object.keys((ok?.node['content'] ?? {}) as JsonObject)).toContain('text/event-stream');
      const blocked = responsesOf(doc, op).find((r) => r.status === '422');
      expect(Object.keys((blocked?.node['headers'] ?? {}) as JsonObject)).toContain('x-proxygate-receipt');
    }
  });

  it('types every REST money field as a safe integer and every v3 amount as an integer string', () => {
    let moneyFields = 0;
    walk(doc, '#', (node, pointer) => {
      const properties = node['properties'];
      if (!isObject(properties)) return;
      for (const [name, schema] of Object.entries(properties)) {
        if (!isObject(schema) || !name.endsWith('_micro_cents')) continue;
        const types = Array.isArray(schema['type']) ? schema['type'] : [schema['type']];
        expect(types, `${pointer}/${name}`).toContain('integer');
        expect(types.filter((t) => t !== 'null' && t !== 'integer'), `${pointer}/${name}`).toEqual([]);
        expect(schema['maximum'], `${pointer}/${name}`).toBe(MAX_SAFE);
        expect(String(schema['description']), `${pointer}/${name}`).toMatch(/micro-cents/);
        moneyFields += 1;
      }
    });
    expect(moneyFields).toBeGreaterThanOrEqual(9);
    const v3 = ((doc['components'] as JsonObject)['schemas'] as JsonObject)['ReceiptV3'] as JsonObject;
    expect((v3['properties'] as JsonObject)['amount']).toMatchObject({ type: 'string', pattern: '^(0|[1-9][0-9]*)$' });
    expect(v3['additionalProperties']).toBe(false);
  });

  it('rejects a v3 receipt with an extra field, a float amount or a score out of range', () => {
    const validate = validator.validatorAt('#/components/schemas/ReceiptV3');
    const page = resolvePointer(
      doc,
      '#/paths/~1v1~1receipts/get/responses/200/content/application~1json/example',
    ) as JsonObject;

    const receipt = (page['data'] as JsonObject[])[0] as JsonObject;
    expect(validate(receipt), describeErrors(validate.errors)).toBe(true);
    expect(validate({ ...receipt, note: 'x' })).toBe(false);
    expect(validate({ ...receipt, amount: '1.5' })).toBe(false);
    expect(validate({ ...receipt, amount: 1500000 })).toBe(false);
    expect(validate({ ...receipt, amount: '01' })).toBe(false);
    expect(validate({ ...receipt, shield: { ...(receipt['shield'] as JsonObject), score_bp: 10001 } })).toBe(false);
  });

  it('tells receipt versions apart', () => {
    const validate = validator.validatorAt('#/components/schemas/Receipt');
    const v1 = {
      request_id: 'req_1',
      buyer: 'acct_1',
      seller: 'sel_1',
      amount: 1500000,
      timestamp: '2026-11-25T12:00:00.000Z',
      signature: `${'A'.repeat(86)}==`,
    };
    expect(validate(v1), describeErrors(validate.errors)).toBe(true);
    expect(validate({ ...v1, receipt_version: 2 })).toBe(false); // v2 without delegation
    expect(validate({ ...v1, amount: 1.5 })).toBe(false);
  });

  it('documents a stream whose final proxygate.receipt event matches SseReceiptEvent and hashes the stream before it', () => {
    const stream = String(resolvePointer(doc, '#/components/responses/ProxySuccess/content/text~1event-stream/example'));
    const marker = 'event: proxygate.receipt\n';
    const at = stream.lastIndexOf(marker);
    expect(at).toBeGreaterThan(0);
    const dataLine = stream.slice(at + marker.length).split('\n')[0] ?? '';
    expect(dataLine.startsWith('data: ')).toBe(true);
    const event = JSON.parse(dataLine.slice('data: '.length)) as JsonObject;
    const validateEvent = validator.validatorAt('#/components/schemas/SseReceiptEvent');
    expect(validateEvent(event), describeErrors(validateEvent.errors)).toBe(true);
    const receipt = JSON.parse(Buffer.from(String(event['receipt']), 'base64').toString('utf8')) as JsonObject;
    const validateReceipt = validator.validatorAt('#/components/schemas/ReceiptV3');
    expect(validateReceipt(receipt), describeErrors(validateReceipt.errors)).toBe(true);
    expect(receipt['response_sha256']).toBe(createHash('sha256').update(stream.slice(0, at), 'utf8').digest('hex'));
  });

  it('has header examples that validate, base64 receipts included', () => {
    let checked = 0;
    for (const op of operations) {
      for (const response of responsesOf(doc, op)) {
        for (const [name, raw] of Object.entries((response.node['headers'] ?? {}) as JsonObject)) {
          const header = deref(doc, raw, `${response.pointer}/headers/${escapePointerToken(name)}`);
          const node = header.node as JsonObject;
          if (isObject(node['content'])) {
            const media = node['content']['application/json'] as JsonObject;
            const validate = validator.validatorAt(`${header.pointer}/content/application~1json/schema`);
            expect(validate(media['example']), `${name}: ${describeErrors(validate.errors)}`).toBe(true);
            checked += 1;
            continue;
          }
          expect('example' in node, `${operationId(op.node)} ${response.status} ${name} has an example`).toBe(true);
          const validate = validator.validatorAt(`${header.pointer}/schema`);
          expect(validate(node['example']), `${name}: ${describeErrors(validate.errors)}`).toBe(true);
          const schema = deref(doc, node['schema'] as Json, '').node as JsonObject;
          if (schema['contentEncoding'] === 'base64') {
            const decoded: unknown = JSON.parse(Buffer.from(String(node['example']), 'base64').toString('utf8'));
            const validateReceipt = validator.validatorAt('#/components/schemas/Receipt');
            expect(validateReceipt(decoded), `${name} decoded: ${describeErrors(validateReceipt.errors)}`).toBe(true);
          }
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('contains no real-looking secret: every token in it is an obvious EXAMPLE', () => {
    const text = readFileSync(specPath, 'utf8');
    const tokens = text.match(/pg_(live|del)_[A-Za-z0-9._-]+/g) ?? [];
    expect(tokens.length).toBeGreaterThan(0);
    for (const token of tokens) expect(token).toMatch(/EXAMPLE/);
  });

  it('matches the committed generated types (stamped with the spec hash)', () => {
    const generated = readFileSync(
      fileURLToPath(new URL('../../sdk/src/generated/openapi.ts', import.meta.url)),
      'utf8',
    );
    const specHash = createHash('sha256')
      .update(readFileSync(specPath, 'utf8').replace(/\r\n?/g, '\n'), 'utf8')
      .digest('hex');
    expect(generated.split('\n')[0]).toBe(
      '// This file is generated by sdk/scripts/generate.mjs from spec/openapi.yaml. Do not edit.',
    );
    expect(generated).toContain(`// spec/openapi.yaml sha256: ${specHash}`);
  });
});
