// Cross-check of two implementations: receipts signed by the mock gateway (server-mock, its own
// JCS, Merkle and checkpoint code) must verify and audit with this SDK, content hashes included.
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockGateway, MOCK_ORIGIN } from '@proxygate-kit/server-mock';
import { KeySet, auditReceipts, decodeReceiptHeader, verifyReceipt, type Receipt, type ReceiptV3 } from '../../src/receipts/index.js';

const mock = createMockGateway({ seed: 'receipts-interop', mcp: false });
const server = setupServer(...mock.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

async function paidCall(token: string, method: string, path: string, query: [string, string][], body?: string) {
  const listing = ((await (await fetch(`${MOCK_ORIGIN}/v1/apis/echo`)).json()) as { id: string }).id;
  const search = new URLSearchParams([['listing', listing], ...query]);
  const init: RequestInit = { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } };
  if (body !== undefined) init.body = body;
  const response = await fetch(`${MOCK_ORIGIN}/proxy/echo${path}?${search}`, init);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const receipt = decodeReceiptHeader(response.headers);
  expect(receipt, `status ${response.status}`).toBeDefined();
  return { receipt: receipt!, request: { method, path, query: search, ...(body === undefined ? {} : { body }) }, response: bytes };
}

describe('receipts from the mock gateway', () => {
  const keys = () => KeySet.fromDocument(mock.gateway.keySet());

  it('v3 receipts verify with their request and response content, and tampered content fails', async () => {
    const calls = [
      await paidCall(mock.demoTokens.trader, 'GET', '/echo', [['b', '2'], ['a', 'z y'], ['a', "x!'()*"], ['aé', '1'], ['a~', '2']]),
      await paidCall(mock.demoTokens.trader, 'POST', '/echo', [], '{"q":"héllo"}'),
    ];
    for (const c of calls) {
      expect(c.receipt.receipt_version).toBe(3);
      const verdict = await verifyReceipt(c.receipt, { keys: keys(), content: { request: c.request, response: c.response } });
      expect(verdict).toMatchObject({ valid: true, reason: 'valid' });
      const other = await verifyReceipt(c.receipt, { keys: keys(), content: { response: new Uint8Array([...c.response, 0x20]) } });
      expect(other.reason).toBe('content_mismatch');
    }
  });

  it('v1 and v2 receipts verify against the pinned platform and CA keys', async () => {
    for (const token of [mock.demoTokens.traderV1, mock.demoTokens.traderV2]) {
      const { receipt } = await paidCall(token, 'GET', '/echo', [['n', '1']]);
      expect((await verifyReceipt(receipt, { keys: keys() })).reason).toBe('valid');
      expect((await verifyReceipt(receipt, { keys: keys(), backend: 'noble' })).reason).toBe('valid');
    }
  });

  it('the receipt log audits clean against its signed head, and a dropped receipt is caught', async () => {
    for (let i = 0; i < 4; i++) await paidCall(mock.demoTokens.trader, 'GET', '/echo', [['i', String(i)]]);
    const log = (await (await fetch(`${MOCK_ORIGIN}/v1/receipts?limit=100`, { headers: { authorization: `Bearer ${mock.demoTokens.trader}` } })).json()) as {
      data: ReceiptV3[]; head: Parameters<typeof auditReceipts>[1]['head'];
    };
    expect(log.data.length).toBeGreaterThanOrEqual(6);
    const report = await auditReceipts(log.data as Receipt[], { keys: keys(), head: log.head! });
    expect(report.issues).toEqual([]);
    expect(report.head).toMatchObject({ verified: true, rootMatches: true });
    const cut = await auditReceipts(log.data.slice(0, -1) as Receipt[], { keys: keys(), head: log.head! });
    expect(cut.issues.map((i) => i.reason)).toEqual(['chain_gap']);
  });

  it('receipts signed before a key rotation still verify under the retired key', async () => {
    const before = await paidCall(mock.demoTokens.trader, 'GET', '/echo', [['r', '1']]);
    const { retired, active } = mock.rotateKeys();
    const after = await paidCall(mock.demoTokens.trader, 'GET', '/echo', [['r', '2']]);
    expect((before.receipt as ReceiptV3).kid).toBe(retired);
    expect((after.receipt as ReceiptV3).kid).toBe(active);
    expect(keys().get(retired)?.status).toBe('retired');
    for (const c of [before, after]) expect((await verifyReceipt(c.receipt, { keys: keys() })).reason).toBe('valid');
  });
});
