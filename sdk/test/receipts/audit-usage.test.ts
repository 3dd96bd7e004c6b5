import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockGateway, MOCK_ORIGIN, mockListingId } from '@proxygate-kit/server-mock';
import { KeySet, auditStream, decodeReceiptHeader, type Receipt, type UsageRow, type UsageSummaryEntry } from '../../src/receipts/index.js';
import { baseV3, docKey, hashReceipt, keyDocument, makeKey, signV1, signV3 } from './signer.js';

const k1 = makeKey('k1');
const platform = makeKey('platform');
const keys = KeySet.fromDocument(keyDocument([docKey(k1)], { platform }));
const findings = (r: { issues: { reason: string; field?: string }[] }) => r.issues.map((i) => [i.reason, i.field]);

// v1 receipts as the public gateway emits them (Unix seconds) and its usage rows, which carry no request_id.
const T0 = Date.parse('2026-11-25T10:00:00Z') / 1000;
const receipts = [0, 600, 1800, 4000, 4100].map((dt, i) =>
  signV1(platform, { request_id: crypto.randomUUID(), buyer: 'wallet1', seller: 'seller1', amount: 1000 * (i + 1), timestamp: T0 + dt }));
const row = (dt: number, cost: number, extra: Record<string, unknown> = {}) => ({
  id: crypto.randomUUID(), service: 'weather-api', path: '/current', model: null, status_code: 200, latency_ms: 120,
  cost_micro_cents: cost, listing_id: '11111111-1111-1111-1111-111111111111', seller_id: null,
  created_at: new Date((T0 + dt) * 1000).toISOString(), ...extra,
});
const rows = [row(0, 1000), row(600, 2000), row(1800, 3000), row(3999, 4000), row(4100, 5000), row(2000, 0, { status_code: 502 })];
const summary = [{ service: 'weather-api', model: null, request_count: 6, total_cost_micro_cents: 15000 }];
const window = { from: new Date(T0 * 1000).toISOString(), to: new Date((T0 + 7200) * 1000).toISOString() };

describe('usage reconciliation against the public gateway export (no request_id)', () => {
  it('sums over the window match: clean, with the per-bucket and summary figures', async () => {
    const report = await auditStream(receipts, { keys, usage: { usage: rows, summary, ...window } });
    expect(report.issues).toEqual([]);
    expect(report.usage?.aggregate).toMatchObject({
      rows: { count: 6, paid: 5, total: '15000' },
      receipts: { count: 5, paid: 5, total: '15000', untimed: 0 },
      differing_buckets: [],
      summary_mismatches: [],
    });
    // v1 receipts name no service: no per-service comparison can be made.
    expect(report.usage?.aggregate?.by_service).toBeUndefined();
  });

  it('a charge without a receipt, or a receipt for more than was charged, is a mismatch located by hour', async () => {
    const extra = await auditStream(receipts, { keys, usage: { usage: [...rows, row(5000, 777)], ...window } });
    expect(findings(extra)).toEqual([['content_mismatch', 'usage.total']]);
    expect(extra.issues[0]!.message).toContain('rows charge 15777 micro-USD over 6 paid call(s), receipts sign for 15000 over 5');
    expect(extra.usage?.aggregate?.differing_buckets).toEqual([{ start: '2026-11-25T11:00:00.000Z', rows_total: '9777', receipts_total: '9000' }]);
    const lost = await auditStream(receipts.slice(1), { keys, usage: { usage: rows, ...window } });
    expect(findings(lost)).toEqual([['content_mismatch', 'usage.total']]);
  });

  it('an export whose summary disagrees with its rows is incomplete', async () => {
    const report = await auditStream(receipts, { keys, usage: { usage: rows.slice(0, 5), summary, ...window } });
    expect(findings(report)).toEqual([['content_mismatch', 'usage.summary']]);
    expect(report.usage?.aggregate?.summary_mismatches).toEqual([{ service: 'weather-api', model: null, summary_total: '15000', rows_total: '15000', summary_count: 6, rows_count: 5 }]);
  });

  it('v3 receipts name their service: sums are compared per service too', async () => {
    let prev = '0'.repeat(64);
    const v3 = [1, 2, 3].map((seq) => {
      const r = signV3(k1, baseV3({ seq, prev, request_id: `r${seq}`, service: seq === 3 ? 'news' : 'weather-api', amount: '100', timestamp: new Date((T0 + seq) * 1000).toISOString() }));
      prev = hashReceipt(r);
      return r;
    });
    const usage = [row(1, 100), row(2, 100), row(3, 100)]; // all three billed to weather-api
    const report = await auditStream(v3, { keys, usage: { usage, ...window } });
    expect(findings(report)).toEqual([['content_mismatch', 'usage.service'], ['content_mismatch', 'usage.service']]);
    expect(report.usage?.aggregate?.by_service).toEqual({
      'weather-api': { rows_total: '300', receipts_total: '200', rows_paid: 3, receipts_paid: 2 },
      news: { rows_total: '0', receipts_total: '100', rows_paid: 0, receipts_paid: 1 },
    });
  });

  it('our rows with request_id are joined per call, the others by sums (one export may mix them)', async () => {
    const ours = receipts.slice(0, 2).map((r, i) => ({ ...row(i, Number(r.amount)), request_id: r.request_id }));
    const report = await auditStream(receipts, { keys, usage: { usage: [...ours, ...rows.slice(2)], ...window } });
    expect(report.issues).toEqual([]);
    expect(report.usage?.joined).toMatchObject({ matched: 2, amount_mismatches: 0, missing_receipts: 0, receipts_without_usage: 3 });
    expect(report.usage?.aggregate?.receipts).toMatchObject({ count: 3, total: '12000' });
  });
});

describe('usage reconciliation against the mock gateway export, both profiles', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());

  // Extended rows carry request_id (every row is joined), public ones do not (all compared by sums);
  // in both, summary[] totals every row of the export.
  for (const profile of ['extended', 'public'] as const) {
    it(`${profile}: four paid calls on two services audit clean against usage and its summary`, async () => {
      const clock = new Date('2026-11-25T10:00:00.250Z');
      const mock = createMockGateway({ profile, seed: `usage-summary-${profile}`, mcp: false, now: () => clock });
      server.resetHandlers(...mock.handlers);
      const auth = { authorization: `Bearer ${mock.demoTokens.trader}` };
      const receipts: Receipt[] = [];
      for (const [service, slug, path] of [['echo', 'echo', '/echo'], ['weather', 'weather-current', '/current'], ['echo', 'echo', '/echo'], ['echo', 'echo', '/echo']] as const) {
        const response = await fetch(`${MOCK_ORIGIN}/proxy/${service}${path}?listing=${mockListingId(slug)}`, { headers: auth });
        expect(response.status).toBe(200);
        receipts.push(decodeReceiptHeader(response.headers)!);
      }
      const page = (await (await fetch(`${MOCK_ORIGIN}/v1/usage?limit=100`, { headers: auth })).json()) as { usage: UsageRow[]; summary: UsageSummaryEntry[] };
      expect(page.usage.every((r) => 'request_id' in r)).toBe(profile === 'extended');
      expect(page.summary.map((e) => [e.service, e.request_count]).sort()).toEqual([['echo', 3], ['weather', 1]]);
      const health = (await (await fetch(`${MOCK_ORIGIN}/health`)).json()) as { platform_pubkey: string };
      const keys = profile === 'extended' ? KeySet.fromDocument(mock.gateway.keySet()) : KeySet.fromKeys([], { platformPubkey: health.platform_pubkey });
      // v1 timestamps are whole seconds: the window starts at the second of the first call.
      const window = { from: '2026-11-25T10:00:00Z', to: '2026-11-25T10:00:00.999Z' };
      const report = await auditStream(receipts, { keys, usage: { usage: page.usage, summary: page.summary, ...window } });
      expect(report.issues).toEqual([]);
      expect(report.usage?.aggregate?.summary_mismatches).toEqual([]);
      expect(report.usage?.joined.matched).toBe(profile === 'extended' ? 4 : 0);
      // One row dropped: the summary still counts it, so the export is incomplete.
      const cut = await auditStream(receipts, { keys, usage: { usage: page.usage.slice(1), summary: page.summary, ...window } });
      expect(cut.issues.map((i) => i.field)).toContain('usage.summary');
    });
  }

  it('extended shape without a window: the rows span it, and the summary is still compared', async () => {
    const ours = receipts.map((r) => ({ ...row(Number(r.timestamp) - T0, Number(r.amount)), request_id: r.request_id }));
    const all = [{ service: 'weather-api', model: null, request_count: 5, total_cost_micro_cents: 15000 }];
    const clean = await auditStream(receipts, { keys, usage: { usage: ours, summary: all } });
    expect(clean.issues).toEqual([]);
    expect(clean.usage?.joined.matched).toBe(5);
    const wrong = await auditStream(receipts, { keys, usage: { usage: ours, summary: [{ ...all[0]!, request_count: 6 }] } });
    expect(findings(wrong)).toEqual([['content_mismatch', 'usage.summary']]);
  });
});
