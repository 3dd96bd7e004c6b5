// The contract's own guarantees: every public buyer route is described as the public gateway
// serves it, every extension is marked with the feature that advertises it, every money field says
// its unit, and every answer has examples that match its schema.
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
  extensionMarkers,
  isObject,
  listOperations,
  loadSpec,
  parametersOf,
  resolvePointer,
  responsesOf,
  schemaRefsOf,
  specPath,
  undeclaredKeys,
  walkObjects,
  type Json,
  type JsonObject,
  type Operation,
} from './openapi-doc.js';

const doc = loadSpec();
const operations = listOperations(doc);
const validator = createSpecValidator(doc);
const schemas = (doc['components'] as JsonObject)['schemas'] as JsonObject;

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const schemaRef = (name: string) => `#/components/schemas/${name}`;

/** Operations of the public gateway (no marker allowed on them) and of our extensions (feature). */
const PUBLIC_ROUTES: Record<string, string> = {
  listApis: 'get /v1/apis',
  getApiDocs: 'get /v1/apis/{listingId}/docs',
  getPricing: 'get /v1/pricing',
  listServices: 'get /v1/services',
  listCategories: 'get /v1/categories',
  getMe: 'get /v1/me',
  getBalance: 'get /v1/balance',
  getWalletLimits: 'get /v1/wallet/limits',
  listUsage: 'get /v1/usage',
  rateCall: 'post /v1/rate',
  proxyGet: 'get /proxy/{service}/{path}',
  proxyPost: 'post /proxy/{service}/{path}',
  proxyPut: 'put /proxy/{service}/{path}',
  proxyPatch: 'patch /proxy/{service}/{path}',
  proxyDelete: 'delete /proxy/{service}/{path}',
  getHealth: 'get /health',
  // MCP and its OAuth discovery (protocol §1, §4): not in the published REST schema, not ours either.
  getProtectedResourceMetadata: 'get /.well-known/oauth-protected-resource',
  getMcpProtectedResourceMetadata: 'get /.well-known/oauth-protected-resource/mcp',
  mcpPost: 'post /mcp',
};
const EXTENSION_ROUTES: Record<string, { route: string; feature: string }> = {
  getTokenSelf: { route: 'get /v1/tokens/self', feature: 'token_scopes' },
  listTokens: { route: 'get /v1/tokens', feature: 'tokens' },
  createToken: { route: 'post /v1/tokens', feature: 'tokens' },
  revokeToken: { route: 'delete /v1/tokens/{tokenId}', feature: 'tokens' },
  listReceipts: { route: 'get /v1/receipts', feature: 'receipt_log' },
  getReceiptKeys: { route: 'get /.well-known/proxygate-receipt-keys', feature: 'receipt_keys' },
};

/** The features `/health` may advertise (design brief §2); `extensions` marks the advertisement itself. */
const FEATURES = ['token_scopes', 'tokens', 'idempotency', 'receipt_keys', 'receipt_v3', 'receipt_log', 'shield_action'];

const PROXY_METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const proxyPointer = (method: string) => `#/paths/~1proxy~1{service}~1{path}/${method}`;

/** Every marked element of the spec, by pointer. A new extension must be added here on purpose. */
const EXPECTED_MARKERS: Record<string, string> = {
  '#/components/securitySchemes/scopedBearerAuth': 'token_scopes',
  '#/paths/~1v1~1tokens~1self/get': 'token_scopes',
  '#/paths/~1v1~1tokens/get': 'tokens',
  '#/paths/~1v1~1tokens/post': 'tokens',
  '#/paths/~1v1~1tokens~1{tokenId}/delete': 'tokens',
  '#/paths/~1v1~1receipts/get': 'receipt_log',
  '#/paths/~1.well-known~1proxygate-receipt-keys/get': 'receipt_keys',
  ...Object.fromEntries(PROXY_METHODS.map((m) => [`${proxyPointer(m)}/parameters/0`, 'idempotency'])),
  '#/paths/~1v1~1rate/post/responses/403/headers/WWW-Authenticate': 'token_scopes',
  '#/components/responses/Forbidden/headers/WWW-Authenticate': 'token_scopes',
  '#/components/responses/ProxyForbidden/headers/WWW-Authenticate': 'token_scopes',
  '#/components/responses/ProxySuccess/headers/x-proxygate-shield-action': 'shield_action',
  '#/components/responses/ProxyUnprocessable/headers/x-proxygate-shield-action': 'shield_action',
  '#/components/responses/ProxySuccess/headers/idempotent-replayed': 'idempotency',
  '#/components/responses/IdempotencyConflict': 'idempotency',
  '#/components/schemas/InsufficientScopeError': 'token_scopes',
  '#/components/schemas/ShieldBlockError/properties/request_id': 'receipt_v3',
  '#/components/schemas/UsageRow/properties/request_id': 'receipt_log',
  '#/components/schemas/HealthResponse/properties/extensions': 'extensions',
  '#/components/schemas/SseReceiptEvent': 'receipt_v3',
  '#/components/schemas/ReceiptV3': 'receipt_v3',
  // Key-set rotation endorsements (issue 15).
  '#/components/schemas/KeySet/properties/endorsements': 'receipt_keys',
  '#/components/schemas/KeySetEndorsement': 'receipt_keys',
};

/** Security of each operation: the public scope (bearerAuth) and ours (scopedBearerAuth, token_scopes). */
const EXPECTED_SECURITY: Record<string, Json[]> = {
  listApis: [],
  getApiDocs: [],
  getPricing: [],
  listServices: [],
  listCategories: [],
  getHealth: [],
  getReceiptKeys: [],
  getProtectedResourceMetadata: [],
  getMcpProtectedResourceMetadata: [],
  getMe: [{ bearerAuth: [] }, { scopedBearerAuth: [] }],
  getBalance: [{ bearerAuth: ['balance:read'] }, { scopedBearerAuth: ['account:read'] }],
  getWalletLimits: [{ bearerAuth: ['wallet:limits'] }, { scopedBearerAuth: ['account:read'] }],
  listUsage: [{ bearerAuth: ['usage:read'] }, { scopedBearerAuth: ['account:read'] }],
  rateCall: [{ bearerAuth: ['rate:write'] }, { scopedBearerAuth: ['trade'] }],
  ...Object.fromEntries(
    ['proxyGet', 'proxyPost', 'proxyPut', 'proxyPatch', 'proxyDelete'].map((id) => [id, [{ bearerAuth: ['proxy'] }, { scopedBearerAuth: ['trade'] }]]),
  ),
  getTokenSelf: [{ scopedBearerAuth: [] }],
  listTokens: [{ scopedBearerAuth: ['tokens:write'] }],
  createToken: [{ scopedBearerAuth: ['tokens:write'] }],
  revokeToken: [{ scopedBearerAuth: ['tokens:write'] }],
  listReceipts: [{ scopedBearerAuth: ['account:read'] }],
  mcpPost: [{}, { bearerAuth: [] }, { scopedBearerAuth: [] }],
};

/**
 * The published schema's buyer-side objects (proxygate-official/sdk `src/generated/gateway.ts`,
 * `components.schemas`), field for field: `name` required, `name?` optional, `|null` nullable.
 */
const PUBLISHED: Record<string, string> = {
  CatalogResponse: 'data cursor|null has_more filters_applied',
  CatalogErrorResponse: 'data cursor|null has_more error',
  CatalogFilters:
    'service? auth_pattern? pricing_model? min_uptime? max_latency? max_price? min_trust_score? min_rating? has_badges? badges? ' +
    'supports_streaming? verified? q? category? sort? type? listing_id? slug? seller_slug?',
  CatalogListing:
    'listing_id seller_wallet service service_name auth_pattern pricing_unit price_per_request_usdc|null ' +
    'price_per_input_token_usdc|null price_per_output_token_usdc|null buyer_price_per_request_usdc|null ' +
    'buyer_price_per_input_token_usdc|null buyer_price_per_output_token_usdc|null platform_fee_pct available_rpm ' +
    'uptime_percent avg_latency_ms trust_score badges avg_rating_percent description|null is_available member_since ' +
    'category_slugs endpoints endpoint_prices has_docs is_verified listing_type type_metadata|null slug seller_slug|null ' +
    'seller_account_type seller_organization|null seller_avatar_url|null provider_logo_url|null is_partner free_listing_approved',
  CatalogEndpoint: 'method path description? request_schema? body_overrides? query_overrides?',
  EndpointPrice:
    'path pricing_unit price_per_request? price_per_input_token? price_per_output_token? daily_cap_per_wallet?|null daily_cap_global?|null',
  ListingDocsResponse: 'listing_id doc_type content parsed_endpoints|null updated_at',
  PricingResponse: 'services has_more cursor|null currency deposit_endpoint last_updated',
  ServicePricing:
    'service name pricing_unit price_per_request_micro_cents price_per_request_usdc price_per_input_token_micro_cents|null ' +
    'price_per_output_token_micro_cents|null price_per_input_token_usdc|null price_per_output_token_usdc|null available_rpm sellers',
  ServicesResponse: 'services has_more cursor|null count',
  ServicesErrorResponse: 'services has_more cursor|null count error',
  ServiceStats:
    'service service_name cheapest_price_usdc cheapest_buyer_price_usdc avg_latency_ms active_seller_count total_capacity_rpm ' +
    'avg_uptime_percent avg_rating best_rated_seller_wallet pricing_units',
  CategoriesResponse: 'categories has_more cursor|null',
  CategoryEntry: 'slug name icon listing_count subcategories',
  CategorySubcategory: 'slug name icon listing_count',
  VaultBalanceResponse: 'balance pending_settlement available in_cooldown currency',
  UsageResponse: 'usage summary has_more cursor|null',
  UsageErrorResponse: 'usage summary has_more cursor|null error',
  UsageRow: 'id service path model|null status_code latency_ms cost_micro_cents listing_id seller_id|null created_at',
  UsageSummaryEntry: 'service model|null request_count total_cost_micro_cents',
  RateResponse: 'success is_update',
  MeResponse: 'wallet display_name|null created_at|null auth_method|null seller_status',
  WalletLimits: 'daily_limit_micro_usdc|null per_tx_limit_micro_usdc|null',
  HealthResponse: 'status platform_pubkey',
  ErrorResponse: 'error message action? docs? trace_id?',
  // Not in the published schema: the block body its client parses (public-gateway.md "Shield").
  ShieldBlockError: 'error code shield_score shield_flags refunded message action? docs? trace_id?',
};

/** Fields we document on a published object that are neither published nor an extension. */
const DOCUMENTED_ADDITIONS: Record<string, string[]> = {
  HealthResponse: ['receipt_ca_pubkey'], // read when present (protocol §1); the description says it is unpublished
};

/** Enumerations of the published schema. */
const PUBLISHED_ENUMS: Record<string, Json[]> = {
  'HealthResponse/status': ['healthy', 'degraded'],
  'MeResponse/auth_method': ['bearer', 'wallet-sig', null],
  'MeResponse/seller_status': ['none', 'applicant', 'accepted'],
  'ListingDocsResponse/doc_type': ['openapi', 'markdown', 'graphql'],
  'ServicePricing/pricing_unit': ['per_request', 'per_token', 'both'],
  'ServiceStats/pricing_units': ['per_request', 'per_token', 'both'],
  'CatalogListing/seller_account_type': ['personal', 'organization'],
  'EndpointPrice/pricing_unit': ['per_request', 'per_token'],
  'CatalogEndpoint/method': ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'],
};

/** Which schema answers each public route (the wrapper keys follow from PUBLISHED). */
const PUBLIC_RESPONSES: Record<string, Record<string, string>> = {
  listApis: { '200': 'CatalogResponse', '400': 'ErrorResponse', '500': 'CatalogErrorResponse' },
  getApiDocs: { '200': 'ListingDocsResponse', '400': 'ErrorResponse', '404': 'ErrorResponse', '500': 'ErrorResponse' },
  getPricing: { '200': 'PricingResponse' },
  listServices: { '200': 'ServicesResponse', '500': 'ServicesErrorResponse' },
  listCategories: { '200': 'CategoriesResponse', '500': 'CategoriesResponse' },
  getMe: { '200': 'MeResponse', '500': 'ErrorResponse' },
  getBalance: { '200': 'VaultBalanceResponse' },
  getWalletLimits: { '200': 'WalletLimits', '401': 'ErrorResponse', '403': 'ErrorResponse' },
  listUsage: { '200': 'UsageResponse', '500': 'UsageErrorResponse' },
  rateCall: { '200': 'RateResponse', '400': 'ErrorResponse', '401': 'ErrorResponse', '403': 'ErrorResponse', '404': 'ErrorResponse' },
  getHealth: { '200': 'HealthResponse', '503': 'HealthResponse' },
  proxyGet: { '401': 'ErrorResponse', '403': 'ErrorResponse', '422': 'ErrorResponse', '429': 'ErrorResponse', '503': 'ErrorResponse' },
};

/** Query parameters of the public routes, as published (all optional text). */
const PUBLIC_QUERY: Record<string, string> = {
  listApis:
    'service auth_pattern pricing_model min_uptime max_latency max_price min_trust_score min_rating has_badges badges ' +
    'supports_streaming verified q category sort type listing_id slug seller_slug cursor limit',
  getPricing: 'service limit cursor',
  listServices: 'limit cursor',
  listCategories: 'limit cursor q',
  listUsage: 'service model from to limit cursor',
};

/** Statuses whose answer has no body by definition (no example possible). */
const NO_BODY_STATUSES = new Set(['202', '204']);

function operationId(node: JsonObject): string {
  const id = node['operationId'];
  return typeof id === 'string' ? id : '';
}

function operation(id: string): Operation {
  const op = operations.find((o) => operationId(o.node) === id);
  if (!op) throw new Error(`no operation ${id}`);
  return op;
}

function schema(name: string): JsonObject {
  const node = schemas[name];
  if (!isObject(node)) throw new Error(`no schema ${name}`);
  return node;
}

function typesOf(node: JsonObject): Json[] {
  const type = node['type'];
  return Array.isArray(type) ? type : type === undefined ? [] : [type];
}

function jsonSchemaOf(status: string, op: Operation): JsonObject {
  const response = responsesOf(doc, op).find((r) => r.status === status);
  if (!response) throw new Error(`${operationId(op.node)} has no ${status}`);
  return ((response.node['content'] as JsonObject)['application/json'] as JsonObject)['schema'] as JsonObject;
}

describe('spec/openapi.yaml: routes and security', () => {
  it('is OpenAPI 3.1 with the six tags', () => {
    expect(String(doc['openapi'])).toMatch(/^3\.1\.\d+$/);
    const tags = (doc['tags'] as JsonObject[]).map((t) => t['name']);
    expect(tags.sort()).toEqual(['account', 'catalog', 'meta', 'proxy', 'receipts', 'tokens']);
  });

  it('has exactly the public buyer routes and our extension routes, and no GET /v1/apis/{id}', () => {
    const routes = Object.fromEntries(operations.map((op) => [operationId(op.node), `${op.method} ${op.path}`]));
    const expected = { ...PUBLIC_ROUTES, ...Object.fromEntries(Object.entries(EXTENSION_ROUTES).map(([id, e]) => [id, e.route])) };
    expect(routes).toEqual(expected);
    expect(Object.keys(doc['paths'] as JsonObject)).not.toContain('/v1/apis/{listingId}');
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

  it('states the public scope and ours in every security requirement, and names them in prose', () => {
    const schemes = (doc['components'] as JsonObject)['securitySchemes'] as JsonObject;
    expect(schemes['bearerAuth']).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(schemes['scopedBearerAuth']).toMatchObject({ type: 'http', scheme: 'bearer', 'x-proxygate-extension': 'token_scopes' });
    expect(Object.keys(schemes).sort()).toEqual(['bearerAuth', 'scopedBearerAuth']);
    for (const op of operations) {
      const id = operationId(op.node);
      expect(op.node['security'], id).toEqual(EXPECTED_SECURITY[id]);
      for (const requirement of (op.node['security'] as JsonObject[]).filter((r) => Object.keys(r).length > 0)) {
        for (const scope of Object.values(requirement).flat() as string[]) {
          expect(String(op.node['description']), `${id} names ${scope} in prose`).toContain(`\`${scope}\``);
        }
      }
    }
  });
});

describe('spec/openapi.yaml: the public wire', () => {
  it('describes every published object field for field: names, required and nullability', () => {
    const markers = extensionMarkers(doc);
    for (const [name, fields] of Object.entries(PUBLISHED)) {
      const node = schema(name);
      const properties = node['properties'] as JsonObject;
      const ours = Object.keys(properties).filter(
        (key) => markers.has(`${schemaRef(name)}/properties/${escapePointerToken(key)}`) || DOCUMENTED_ADDITIONS[name]?.includes(key),
      );
      const published = fields.split(' ').map((f) => ({ name: f.replace(/\?|\|null/g, ''), optional: f.includes('?'), nullable: f.endsWith('|null') }));
      expect(Object.keys(properties).filter((k) => !ours.includes(k)).sort(), `${name} fields`).toEqual(published.map((f) => f.name).sort());
      expect([...((node['required'] as string[] | undefined) ?? [])].sort(), `${name} required`).toEqual(
        published.filter((f) => !f.optional).map((f) => f.name).sort(),
      );
      for (const field of published) {
        const property = deref(doc, properties[field.name] as Json, '').node as JsonObject;
        const nullable = typesOf(property).includes('null');
        expect(nullable, `${name}.${field.name} nullable`).toBe(field.nullable);
      }
      for (const key of ours) {
        if (DOCUMENTED_ADDITIONS[name]?.includes(key)) {
          expect(String((properties[key] as JsonObject)['description']), `${name}.${key}`).toMatch(/not in the published schema/i);
        }
        expect(node['required'] ?? [], `${name}.${key} (ours) is optional`).not.toContain(key);
      }
    }
  });

  it('keeps the published enumerations', () => {
    for (const [at, values] of Object.entries(PUBLISHED_ENUMS)) {
      const [name, field] = at.split('/') as [string, string];
      const property = (schema(name)['properties'] as JsonObject)[field] as JsonObject;
      expect(property['enum'], at).toEqual(values);
    }
    expect((schema('PricingResponse')['properties'] as JsonObject)['currency']).toMatchObject({ const: 'USDC' });
    expect((schema('PricingResponse')['properties'] as JsonObject)['deposit_endpoint']).toMatchObject({ const: '/v1/deposit' });
    expect((schema('VaultBalanceResponse')['properties'] as JsonObject)['currency']).toMatchObject({ const: 'lamports' });
    expect((schema('RateResponse')['properties'] as JsonObject)['success']).toMatchObject({ const: true });
  });

  it('answers each public route with its published wrapper', () => {
    for (const [id, statuses] of Object.entries(PUBLIC_RESPONSES)) {
      for (const [status, name] of Object.entries(statuses)) {
        expect(schemaRefsOf(jsonSchemaOf(status, operation(id))), `${id} ${status}`).toContain(schemaRef(name));
      }
    }
    const rate = operation('rateCall').node['requestBody'] as JsonObject;
    expect((((rate['content'] as JsonObject)['application/json'] as JsonObject)['schema'] as JsonObject)['$ref']).toBe(schemaRef('RateRequest'));
  });

  it('takes the published query parameters, all optional text', () => {
    for (const [id, names] of Object.entries(PUBLIC_QUERY)) {
      const query = parametersOf(doc, operation(id)).filter((p) => p['in'] === 'query');
      expect(query.map((p) => p['name']).sort(), id).toEqual(names.split(' ').sort());
      for (const parameter of query) {
        expect(parameter['required'] ?? false, `${id} ${String(parameter['name'])}`).toBe(false);
        const node = deref(doc, parameter['schema'] as Json, '').node as JsonObject;
        expect(node['type'], `${id} ${String(parameter['name'])} is text`).toBe('string');
      }
    }
    const limit = (id: string) => parametersOf(doc, operation(id)).find((p) => p['name'] === 'limit')?.['schema'] as JsonObject;
    expect(limit('listApis')['default']).toBe('20');
    expect(limit('listUsage')['default']).toBe('50');
  });

  it('documents the paid call as the public gateway serves it', () => {
    for (const method of PROXY_METHODS) {
      const op = operations.find((o) => o.pointer === proxyPointer(method));
      if (!op) throw new Error(`no proxy ${method}`);
      const parameters = parametersOf(doc, op);
      const listing = parameters.find((p) => p['in'] === 'query' && p['name'] === 'listing');
      expect(listing, 'listing is documented').toMatchObject({ required: false, schema: { type: 'string', format: 'uuid' } });
      expect(parameters.map((p) => `${String(p['in'])}:${String(p['name']).toLowerCase()}`).sort()).toEqual([
        'header:idempotency-key',
        'header:x-proxygate-shield',
        'path:path',
        'path:service',
        'query:listing',
      ]);
      const statuses = responsesOf(doc, op).map((r) => r.status);
      expect(statuses).toEqual(expect.arrayContaining(['200', '401', '402', '403', '422', '429', '503']));
      const ok = responsesOf(doc, op).find((r) => r.status === '200');
      const headers = (ok?.node['headers'] ?? {}) as JsonObject;
      expect(Object.keys(headers).sort()).toEqual([
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
      expect(Object.keys((ok?.node['content'] ?? {}) as JsonObject).sort()).toEqual(['application/json', 'text/event-stream']);
    }
    const receiptHeader = validator.validatorAt('#/components/responses/ProxySuccess/headers/x-proxygate-receipt/schema');
    expect(receiptHeader('not base64 of anything') && receiptHeader('eyJ9')).toBe(true); // a string: decoding is the client's
    const applied = validator.validatorAt('#/components/responses/ProxySuccess/headers/x-proxygate-shield/schema');
    for (const value of ['monitored', 'strict', 'monitor']) expect(applied(value), value).toBe(true);
    expect(applied('off')).toBe(false); // absent when the answer was not scanned
    const score = validator.validatorAt('#/components/responses/ProxySuccess/headers/x-proxygate-shield-score/schema');
    for (const value of ['0', '0.0', '0.03', '0.9215', '1', '1.0']) expect(score(value), value).toBe(true);
    for (const value of ['1.5', '-0.1', '.5', '0.', 'NaN']) expect(score(value), value).toBe(false);
    const flags = validator.validatorAt('#/components/responses/ProxySuccess/headers/x-proxygate-shield-flags/schema');
    for (const value of ['none', 'prompt_injection', 'prompt_injection,hidden_instructions']) expect(flags(value), value).toBe(true);
    for (const value of ['', ',', 'a,,b']) expect(flags(value), value).toBe(false);
  });

  it('keeps the 402, 403, 422 and 429 distinctions of the paid call', () => {
    const get = operation('proxyGet');
    const examples = (status: string) => {
      const response = responsesOf(doc, get).find((r) => r.status === status);
      const media = (response?.node['content'] as JsonObject)['application/json'] as JsonObject;
      return [...examplesOf(doc, media).values()] as JsonObject[];
    };
    expect(Object.keys(jsonSchemaOf('402', get))).toEqual(['description']); // untyped, as published
    expect(examples('403').map((e) => e['error'])).toEqual(expect.arrayContaining(['forbidden', 'insufficient_scope']));
    expect(examples('422').map((e) => e['error']).sort()).toEqual(['response_blocked', 'validation_failed']);
    expect(schemaRefsOf(jsonSchemaOf('422', get))).toEqual([schemaRef('ShieldBlockError'), schemaRef('ErrorResponse')]);
    expect(examples('429').map((e) => e['error'])).toEqual(expect.arrayContaining(['rate_limit_exceeded', 'spend_limit_exceeded']));
    const tooMany = responsesOf(doc, get).find((r) => r.status === '429');
    expect(String(tooMany?.node['description'])).toMatch(/spend_limit_exceeded/);
    expect(String(tooMany?.node['description'])).toMatch(/refunds the hold/);
  });

  it('describes /health: status healthy|degraded, 503 of the same shape, optional CA key and extensions', () => {
    const health = operation('getHealth');
    expect(schemaRefsOf(jsonSchemaOf('503', health))).toEqual([schemaRef('HealthResponse')]);
    const validate = validator.validatorAt(schemaRef('HealthResponse'));
    const publicHealth = { status: 'healthy', platform_pubkey: 'EwBmhyx991AHyfig5wdsgmGAwaLyszLCbj2pEuzgx5jU' };
    expect(validate(publicHealth), describeErrors(validate.errors)).toBe(true);
    expect(validate({ ...publicHealth, status: 'ok' })).toBe(false);
    expect(validate({ ...publicHealth, extensions: { version: 1, features: ['tokens', 'from_the_future'] } })).toBe(true);
    expect(validate({ ...publicHealth, extensions: { features: ['tokens'] } })).toBe(false);
    const ok = responsesOf(doc, health).find((r) => r.status === '200');
    const extended = examplesOf(doc, (ok?.node['content'] as JsonObject)['application/json'] as JsonObject).get('extended') as JsonObject;
    expect((extended['extensions'] as JsonObject)['features']).toEqual(FEATURES);
  });

  it('answers every error status with an error envelope, a published same-shape page, or (402) an untyped body', () => {
    const errorRefs = new Set(
      ['ErrorResponse', 'InsufficientScopeError', 'ShieldBlockError', 'JsonRpcMessage', 'CatalogErrorResponse', 'ServicesErrorResponse', 'UsageErrorResponse', 'CategoriesResponse', 'HealthResponse'].map(
        schemaRef,
      ),
    );
    for (const op of operations) {
      const id = operationId(op.node);
      const statuses = responsesOf(doc, op).map((r) => r.status);
      expect(statuses.some((s) => s.startsWith('2')), id).toBe(true);
      expect(statuses, `${id} documents rate limiting`).toContain('429');
      for (const response of responsesOf(doc, op)) {
        if (!/^[45]/.test(response.status)) continue;
        const media = (response.node['content'] as JsonObject)['application/json'] as JsonObject;
        const refs = schemaRefsOf(media['schema'] as JsonObject);
        if (response.status === '402') expect(refs, `${id} 402 is untyped`).toEqual([]);
        else expect(refs.some((r) => errorRefs.has(r)), `${id} ${response.status}`).toBe(true);
        const headers = (response.node['headers'] ?? {}) as JsonObject;
        if (response.status === '401' || response.status === '429') {
          const name = response.status === '401' ? 'WWW-Authenticate' : 'Retry-After';
          expect(Object.keys(headers), `${id} ${response.status} declares ${name}`).toContain(name);
          // Only MCP's challenge is required (MCP authorization); the published schema declares no headers.
          const required = (deref(doc, headers[name] as Json, '').node as JsonObject)['required'] === true;
          expect(required, `${id} ${response.status} ${name} required`).toBe(id === 'mcpPost' && response.status === '401');
        }
      }
    }
  });
});

describe('spec/openapi.yaml: extensions', () => {
  it('marks exactly the expected operations, fields and headers, each with a known feature', () => {
    const markers = Object.fromEntries(extensionMarkers(doc));
    expect(markers).toEqual(EXPECTED_MARKERS);
    for (const feature of Object.values(markers)) expect([...FEATURES, 'extensions']).toContain(feature);
    // Every feature is visible somewhere in the spec, so a client can tell what it governs.
    for (const feature of FEATURES) expect(Object.values(markers), feature).toContain(feature);
    expect(Object.entries(markers).filter(([, f]) => f === 'extensions').map(([p]) => p)).toEqual([
      '#/components/schemas/HealthResponse/properties/extensions',
    ]);
  });

  it('marks every extension operation and no public one', () => {
    for (const op of operations) {
      const id = operationId(op.node);
      if (id in PUBLIC_ROUTES) expect(op.node['x-proxygate-extension'], `${id} is public`).toBeUndefined();
      else expect(op.node['x-proxygate-extension'], id).toBe(EXTENSION_ROUTES[id]?.feature);
    }
  });

  it('marks every extension header wherever it appears', () => {
    const features: Record<string, string> = {
      'idempotency-key': 'idempotency',
      'idempotent-replayed': 'idempotency',
      'x-proxygate-shield-action': 'shield_action',
    };
    let seen = 0;
    for (const op of operations) {
      for (const parameter of parametersOf(doc, op)) {
        const feature = features[String(parameter['name']).toLowerCase()];
        if (parameter['in'] === 'header' && feature) {
          expect(parameter['x-proxygate-extension'], `${operationId(op.node)} ${String(parameter['name'])}`).toBe(feature);
          seen += 1;
        }
      }
      for (const response of responsesOf(doc, op)) {
        for (const [name, raw] of Object.entries((response.node['headers'] ?? {}) as JsonObject)) {
          const header = deref(doc, raw, '').node as JsonObject;
          const feature = response.status === '403' && name === 'WWW-Authenticate' ? 'token_scopes' : features[name.toLowerCase()];
          if (feature) {
            expect(header['x-proxygate-extension'], `${operationId(op.node)} ${response.status} ${name}`).toBe(feature);
            seen += 1;
          } else {
            expect(header['x-proxygate-extension'], `${operationId(op.node)} ${response.status} ${name} is public`).toBeUndefined();
          }
        }
      }
    }
    expect(seen).toBeGreaterThan(20);
  });

  it('names the token money fields for their unit', () => {
    for (const name of ['TokenInfo', 'CreateTokenRequest']) {
      const keys = Object.keys(schema(name)['properties'] as JsonObject);
      expect(keys, name).toContain('spend_cap_micro_usd');
      expect(keys.filter((k) => /micro_cents/.test(k)), name).toEqual([]);
    }
    expect(Object.keys(schema('TokenInfo')['properties'] as JsonObject)).toContain('spent_micro_usd');
  });
});

describe('spec/openapi.yaml: money', () => {
  /** Names of money fields: integer micro-USD ones first, then USD decimals and per-token prices. */
  const INTEGER_MONEY = /(_micro_cents|_micro_usdc|_micro_usd)$|^(balance|pending_settlement|available)$/;
  const PER_TOKEN_MICRO = /^price_per_(input|output)_token_micro_cents$/;
  const OTHER_MONEY = /_usdc$|^(amount|price_per_request|price_per_input_token|price_per_output_token|max_price)$/;

  it('says micro-USD in every money field, and types integer money as a safe integer', () => {
    let integers = 0;
    let others = 0;
    walkObjects(doc, '#', (node, pointer) => {
      const properties = node['properties'];
      if (!isObject(properties)) return;
      for (const [name, raw] of Object.entries(properties)) {
        if (!INTEGER_MONEY.test(name) && !OTHER_MONEY.test(name)) continue;
        const property = raw as JsonObject;
        const resolved = deref(doc, property, '').node as JsonObject;
        const description = String(property['description'] ?? resolved['description']);
        expect(description, `${pointer}/${name} says its unit`).toMatch(/micro-USD/);
        if (INTEGER_MONEY.test(name) && !PER_TOKEN_MICRO.test(name)) {
          expect(typesOf(resolved).filter((t) => t !== 'null'), `${pointer}/${name}`).toEqual(['integer']);
          expect(resolved['maximum'], `${pointer}/${name}`).toBe(MAX_SAFE);
          integers += 1;
        } else {
          others += 1;
        }
      }
    });
    expect(integers).toBeGreaterThanOrEqual(11);
    expect(others).toBeGreaterThanOrEqual(20);
    for (const name of ['x-spendlimit-remaining', 'x-spendlimit-limit']) {
      const header = resolvePointer(doc, `#/components/responses/ProxySuccess/headers/${name}`) as JsonObject;
      expect(String(header['description']), name).toMatch(/micro-USD/);
    }
    const maxPrice = parametersOf(doc, operation('listApis')).find((p) => p['name'] === 'max_price');
    expect(String(maxPrice?.['description'])).toMatch(/micro-USD/);
    expect(String((doc['info'] as JsonObject)['description'])).toMatch(/micro-USD/);
  });
});

describe('spec/openapi.yaml: receipts', () => {
  const v1 = {
    request_id: '8c1f2d3e-4b5a-4c6d-9e7f-0a1b2c3d4e5f',
    buyer: 'ABcd1234efgh5678ijk89m12mnQP3456',
    seller: '7Np41oeYqPefeNQEHSv1UDhYrehxin3NStELsSKCT4K2',
    amount: 1050,
    timestamp: 1780403400,
    signature: `${'A'.repeat(86)}==`,
  };
  const delegation = {
    ephemeral_pubkey: 'CzQhWDdyP7zkqNfE1mv57dDSY9VYnzHEP7RsuWZjFoUU',
    purpose: 'proxygate-receipt',
    not_before: 1780358400,
    not_after: 1780444800,
    signature: `${'B'.repeat(86)}==`,
    receipt_ca_pubkey: 'EwBmhyx991AHyfig5wdsgmGAwaLyszLCbj2pEuzgx5jU',
  };

  it('accepts v1 and v2 as emitted: integer amount and times, with or without receipt_version 1', () => {
    const validate = validator.validatorAt(schemaRef('Receipt'));
    const v2 = { ...v1, receipt_version: 2, delegation };
    for (const [what, receipt] of Object.entries({ v1, v1Versioned: { ...v1, receipt_version: 1 }, v1Millis: { ...v1, timestamp: 1780403400123 }, v2 })) {
      expect(validate(receipt), `${what}: ${describeErrors(validate.errors)}`).toBe(true);
    }
    expect(validator.validatorAt(schemaRef('ReceiptV1'))(v1)).toBe(true);
    expect(validator.validatorAt(schemaRef('ReceiptV2'))(v2)).toBe(true);
  });

  it('refuses what gateways do not emit: string or fractional numbers, v2 without delegation', () => {
    const validate = validator.validatorAt(schemaRef('Receipt'));
    expect(validate({ ...v1, amount: '1050' })).toBe(false);
    expect(validate({ ...v1, amount: 10.5 })).toBe(false);
    expect(validate({ ...v1, timestamp: '2026-06-02T12:30:00.000Z' })).toBe(false);
    expect(validate({ ...v1, receipt_version: 2 })).toBe(false);
    expect(validate({ ...v1, receipt_version: 2, delegation: { ...delegation, not_after: '1780444800' } })).toBe(false);
    for (const name of ['ReceiptV1', 'ReceiptV2']) {
      expect(String(schema(name)['description']), name).toMatch(/older string forms/i);
    }
  });

  it('rejects a v3 receipt with an extra field, a float amount or a score out of range', () => {
    const validate = validator.validatorAt(schemaRef('ReceiptV3'));
    const page = resolvePointer(doc, '#/paths/~1v1~1receipts/get/responses/200/content/application~1json/example') as JsonObject;
    const receipt = (page['data'] as JsonObject[])[0] as JsonObject;
    expect(validate(receipt), describeErrors(validate.errors)).toBe(true);
    expect(validate({ ...receipt, note: 'x' })).toBe(false);
    expect(validate({ ...receipt, amount: '1.5' })).toBe(false);
    expect(validate({ ...receipt, amount: 1050 })).toBe(false);
    expect(validate({ ...receipt, amount: '01' })).toBe(false);
    expect(validate({ ...receipt, shield: { ...(receipt['shield'] as JsonObject), score_bp: 10001 } })).toBe(false);
    expect(String(((schema('ReceiptV3')['properties'] as JsonObject)['amount'] as JsonObject)['description'])).toMatch(/micro-USD/);
  });

  it('documents a public stream (receipt in the header) and a receipt_v3 stream whose final event hashes the stream before it', () => {
    const media = resolvePointer(doc, '#/components/responses/ProxySuccess/content/text~1event-stream') as JsonObject;
    const examples = examplesOf(doc, media);
    expect([...examples.keys()].sort()).toEqual(['public', 'receipt_v3']);
    const marker = 'event: proxygate.receipt\n';
    expect(String(examples.get('public'))).not.toContain(marker);
    const stream = String(examples.get('receipt_v3'));
    const at = stream.lastIndexOf(marker);
    expect(at).toBeGreaterThan(0);
    const dataLine = stream.slice(at + marker.length).split('\n')[0] ?? '';
    expect(dataLine.startsWith('data: ')).toBe(true);
    const event = JSON.parse(dataLine.slice('data: '.length)) as JsonObject;
    const validateEvent = validator.validatorAt(schemaRef('SseReceiptEvent'));
    expect(validateEvent(event), describeErrors(validateEvent.errors)).toBe(true);
    const receipt = JSON.parse(Buffer.from(String(event['receipt']), 'base64').toString('utf8')) as JsonObject;
    const validateReceipt = validator.validatorAt(schemaRef('ReceiptV3'));
    expect(validateReceipt(receipt), describeErrors(validateReceipt.errors)).toBe(true);
    expect(receipt['response_sha256']).toBe(createHash('sha256').update(stream.slice(0, at), 'utf8').digest('hex'));
  });
});

describe('spec/openapi.yaml: examples', () => {
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

  it('has examples that validate against their schemas and declare every field they show', () => {
    let checked = 0;
    for (const op of operations) {
      for (const response of responsesOf(doc, op)) {
        for (const [type, mediaType] of Object.entries((response.node['content'] ?? {}) as JsonObject)) {
          if (type !== 'application/json') continue;
          const pointer = `${response.pointer}/content/${escapePointerToken(type)}/schema`;
          const validate = validator.validatorAt(pointer);
          for (const [name, value] of examplesOf(doc, mediaType as JsonObject)) {
            const what = `${operationId(op.node)} ${response.status} ${name}`;
            expect(validate(value), `${what}: ${describeErrors(validate.errors)}`).toBe(true);
            expect(undeclaredKeys(doc, pointer, value), what).toEqual([]);
            checked += 1;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
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
          const headerSchema = deref(doc, node['schema'] as Json, '').node as JsonObject;
          if (headerSchema['contentEncoding'] === 'base64') {
            const decoded: unknown = JSON.parse(Buffer.from(String(node['example']), 'base64').toString('utf8'));
            const validateReceipt = validator.validatorAt(schemaRef('Receipt'));
            expect(validateReceipt(decoded), `${name} decoded: ${describeErrors(validateReceipt.errors)}`).toBe(true);
          }
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('shows public-wire examples on public routes (the v1 receipt header, the public /health)', () => {
    const receipt = resolvePointer(doc, '#/components/responses/ProxySuccess/headers/x-proxygate-receipt/example');
    const decoded = JSON.parse(Buffer.from(String(receipt), 'base64').toString('utf8')) as JsonObject;
    expect(validator.validatorAt(schemaRef('ReceiptV1'))(decoded)).toBe(true);
    expect(Number.isInteger(decoded['amount']) && Number.isInteger(decoded['timestamp'])).toBe(true);
    const listApis = jsonSchemaOf('200', operation('listApis'));
    expect(listApis['$ref']).toBe(schemaRef('CatalogResponse'));
  });

  it('contains no real-looking secret: every token in it is an obvious EXAMPLE', () => {
    const text = readFileSync(specPath, 'utf8');
    const tokens = text.match(/pg_(live|del)_[A-Za-z0-9._-]+/g) ?? [];
    expect(tokens.length).toBeGreaterThan(0);
    for (const token of tokens) expect(token).toMatch(/EXAMPLE/);
  });

  it('matches the committed generated types (stamped with the spec hash)', () => {
    const generated = readFileSync(fileURLToPath(new URL('../../sdk/src/generated/openapi.ts', import.meta.url)), 'utf8');
    const specHash = createHash('sha256')
      .update(readFileSync(specPath, 'utf8').replace(/\r\n?/g, '\n'), 'utf8')
      .digest('hex');
    expect(generated.split('\n')[0]).toBe('// This file is generated by sdk/scripts/generate.mjs from spec/openapi.yaml. Do not edit.');
    expect(generated).toContain(`// spec/openapi.yaml sha256: ${specHash}`);
  });
});
