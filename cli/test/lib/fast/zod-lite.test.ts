// The data path's stand-in for zod/mini (src/lib/fast/zod-lite.ts, aliased in the bundle) against
// real zod/mini, on the SDK's own response models: here `zod/mini` is zod-lite, so the SDK's
// models module builds its models with it, exactly as in dist/data-path.bundle.cjs. Each model
// then checks the mock gateway's real answers and thousands of mutations of them (a field
// removed, retyped, out of range, an unknown or `__proto__` key added...): lite and zod must
// agree on success, on the data (key order included, since `--json` prints it) and on the issues.
// Untouched answers must be accepted by lite's own walk, or the stand-in saves nothing.
import * as realZod from 'zod/v4/mini';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { setupServer } from 'msw/node';
import { createMockGateway, MOCK_ORIGIN } from '@proxygate-kit/server-mock';
import { LiteSchema, toReal, useRealZod, walkOnly } from '../../../src/lib/fast/zod-lite.js';

vi.mock('zod/mini', async () => await import('../../../src/lib/fast/zod-lite.js'));

// The SDK's models, built by the module the SDK ships (its source, as the CLI's tests use it).
type Models = Record<string, { loose: unknown; strict: unknown }>;
const importModels = async () => (await import('../../../../sdk/src/resources/models.js')) as unknown as Models;
useRealZod(realZod);
const lite = await importModels();
// The same module again, with real zod/mini.
vi.doUnmock('zod/mini');
vi.resetModules();
const real = await importModels();

interface Parsed {
  success: boolean;
  data?: unknown;
  error?: { issues: unknown[] };
}

/** The prototypes of every object and array in `value` (a `__proto__` key must never set one). */
function prototypes(value: unknown, out: string[] = []): string[] {
  if (value && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as object | null;
    out.push(proto === Object.prototype ? 'Object' : proto === Array.prototype ? 'Array' : String(proto && JSON.stringify(proto)));
    for (const item of Object.values(value)) prototypes(item, out);
  }
  return out;
}

/** What a result says, comparably: success, the data as JSON (key order matters), the issues. */
function view(result: Parsed): unknown {
  return result.success
    ? { success: true, json: JSON.stringify(result.data), data: result.data, prototypes: prototypes(result.data) }
    : { success: false, issues: JSON.parse(JSON.stringify(result.error?.issues)) };
}

// Which model checks each answer, and where the answer comes from.
const ANSWERS: Array<{ model: string; path: string; profile?: 'extended' }> = [
  { model: 'CatalogResponseModel', path: '/v1/apis?limit=3' },
  { model: 'PricingPageModel', path: '/v1/pricing?limit=3' },
  { model: 'ServicesPageModel', path: '/v1/services?limit=3' },
  { model: 'CategoriesPageModel', path: '/v1/categories' },
  { model: 'BalanceModel', path: '/v1/balance' },
  { model: 'UsagePageModel', path: '/v1/usage?limit=3' },
  { model: 'MeModel', path: '/v1/me' },
  { model: 'WalletLimitsModel', path: '/v1/wallet/limits' },
  { model: 'HealthModel', path: '/health' },
  { model: 'TokenPageModel', path: '/v1/tokens?limit=3', profile: 'extended' },
  { model: 'TokenInfoModel', path: '/v1/tokens/self', profile: 'extended' },
  { model: 'ReceiptPageModel', path: '/v1/receipts?limit=3', profile: 'extended' },
];

/** Every value's path in a JSON document (arrays: their first two items only). */
function paths(value: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  const out = [at];
  if (Array.isArray(value)) value.slice(0, 2).forEach((item, i) => out.push(...paths(item, [...at, i])));
  else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) out.push(...paths(item, [...at, key]));
  return out;
}

const REPLACEMENTS: unknown[] = [null, 'x', '', 0, -1, 1.5, 2 ** 53, 1e300, true, [], {}, ['x'], { extra: 1 }];

/** Mutations of `doc`: each path replaced by each of REPLACEMENTS, removed, or given extra keys. */
function mutations(doc: unknown): unknown[] {
  const out: unknown[] = [];
  const trimmed = JSON.parse(JSON.stringify(doc, (_key, value: unknown) => (Array.isArray(value) ? value.slice(0, 2) : value))) as unknown;
  for (const path of paths(trimmed)) {
    const edit = (change: (parent: Record<string | number, unknown>, key: string | number) => void) => {
      const copy = JSON.parse(JSON.stringify(trimmed)) as Record<string | number, unknown>;
      if (path.length === 0) return;
      let parent = copy;
      for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
      change(parent, path[path.length - 1] as string | number);
      out.push(copy);
    };
    for (const replacement of REPLACEMENTS) edit((parent, key) => (parent[key] = structuredClone(replacement)));
    edit((parent, key) => {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
    });
    edit((parent, key) => {
      const target = parent[key];
      if (target && typeof target === 'object' && !Array.isArray(target)) {
        (target as Record<string, unknown>)['unknown_field'] = 'kept?';
        // An own `__proto__` key, as JSON.parse makes it.
        Object.defineProperty(target, '__proto__', { value: { polluted: true }, enumerable: true, writable: true, configurable: true });
      }
    });
  }
  out.push(null, 'text', [], 42, JSON.parse('{"__proto__": 1}'));
  return out;
}

describe.each(['extended', 'public'] as const)('zod-lite against zod/mini on the SDK models, %s mock', (profile) => {
  const mock = createMockGateway({ seed: `zod-lite-${profile}`, profile });
  const server = setupServer(...mock.handlers);
  const answers = new Map<string, unknown>();

  beforeAll(async () => {
    server.listen({ onUnhandledRequest: 'error' });
    const token = mock.demoTokens.trader;
    const get = async (path: string, init: RequestInit = {}) => {
      const response = await fetch(`${MOCK_ORIGIN}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) } });
      return { status: response.status, body: (await response.json().catch(() => undefined)) as unknown };
    };
    // Paid calls first, so usage and the receipt log have rows.
    const catalog = (await get('/v1/apis?limit=50')).body as { data: Array<{ listing_id: string; service: string; slug: string }> };
    const echo = catalog.data.find((listing) => listing.slug === 'echo' || listing.service === 'echo');
    if (echo) for (let i = 0; i < 2; i++) await get(`/proxy/${echo.service}/echo?listing=${echo.listing_id}`);
    for (const answer of ANSWERS) {
      if (answer.profile && answer.profile !== profile) continue;
      const { status, body } = await get(answer.path);
      if (status === 200) answers.set(answer.model, body);
    }
    const listing = catalog.data[0];
    if (listing) {
      const docs = await get(`/v1/apis/${listing.listing_id}/docs`);
      if (docs.status === 200) answers.set('ListingDocsModel', docs.body);
    }
  });
  afterAll(() => server.close());

  it('the models module was built by zod-lite, and the replayed models are zod/mini\'s own', () => {
    expect(Object.keys(lite).sort()).toEqual(Object.keys(real).sort());
    for (const [name, model] of Object.entries(lite)) {
      if (!model || typeof model !== 'object' || !('loose' in model)) continue;
      expect(model.loose, name).toBeInstanceOf(LiteSchema);
      expect(toReal(model.loose as LiteSchema), name).not.toBeInstanceOf(LiteSchema);
    }
  });

  it('reads every answer it is compared on', () => {
    expect([...answers.keys()].length).toBeGreaterThanOrEqual(profile === 'extended' ? 12 : 9);
  });

  it('takes the mock\'s answers by its own walk, with zod\'s data', () => {
    for (const [name, body] of answers) {
      for (const mode of ['loose', 'strict'] as const) {
        const walked = walkOnly(lite[name]![mode] as LiteSchema, body);
        expect(walked, `${name} ${mode}: the walk hands a valid answer to zod`).toBeDefined();
        const theirs = (real[name]![mode] as { safeParse(v: unknown): Parsed }).safeParse(body);
        expect(view({ success: true, data: walked!.data }), `${name} ${mode}`).toEqual(view(theirs));
      }
    }
  });

  it('agrees with zod on every mutation of every answer (success, data and key order, issues)', () => {
    let compared = 0;
    let walked = 0;
    for (const [name, body] of answers) {
      for (const doc of mutations(body)) {
        for (const mode of ['loose', 'strict'] as const) {
          const ours = (lite[name]![mode] as LiteSchema).safeParse(doc) as Parsed;
          const theirs = (real[name]![mode] as { safeParse(v: unknown): Parsed }).safeParse(doc);
          expect(view(ours), `${name} ${mode}: ${JSON.stringify(doc).slice(0, 300)}`).toEqual(view(theirs));
          compared++;
          if (walkOnly(lite[name]![mode] as LiteSchema, doc)) walked++;
        }
      }
    }
    // Enough cases, and both sides of the walk: accepted by it, and handed to zod.
    expect(compared).toBeGreaterThan(2000);
    expect(walked).toBeGreaterThan(100);
    expect(compared - walked).toBeGreaterThan(1000);
  });
});
