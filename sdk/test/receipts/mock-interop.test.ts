// Cross-check of two implementations: receipts signed by the mock gateway (server-mock, its own
// JCS, Merkle and checkpoint code) must verify and audit with this SDK, content hashes included.
// Both profiles: `extended` (v3 and the key-set document) and `public` (v1/v2 receipts with
// integer fields, keys from `/health` alone).
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockGateway, MOCK_ORIGIN, type MockGateway } from '@proxygate-kit/server-mock';
import { KeySet, auditReceipts, decodeReceiptHeader, verifyReceipt, type Receipt, type ReceiptV3 } from '../../src/receipts/index.js';
import { fromBase64 } from '../../src/receipts/encoding.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

/** Serves `mock` (alone) for the tests of one describe block. */
function serve(mock: MockGateway): void {
  beforeAll(() => server.resetHandlers(...mock.handlers));
}

async function echoListing(): Promise<string> {
  const page = (await (await fetch(`${MOCK_ORIGIN}/v1/apis?service=echo`)).json()) as { data: { listing_id: string; slug: string }[] };
  const listing = page.data.find((l) => l.slug === 'echo');
  expect(listing, 'the mock lists the echo service').toBeDefined();
  return listing!.listing_id;
}

async function paidCall(token: string, method: string, path: string, query: [string, string][], body?: string) {
  const search = new URLSearchParams([['listing', await echoListing()], ...query]);
  const init: RequestInit = { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } };
  if (body !== undefined) init.body = body;
  const response = await fetch(`${MOCK_ORIGIN}/proxy/echo${path}?${search}`, init);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const receipt = decodeReceiptHeader(response.headers);
  expect(receipt, `status ${response.status}`).toBeDefined();
  // The receipt exactly as it came: verifying this text checks the numbers as the gateway wrote them.
  const header = response.headers.get('x-proxygate-receipt');
  const text = header === null ? response.headers.get('x-receipt')! : new TextDecoder().decode(fromBase64(header)!);
  return { receipt: receipt!, text, request: { method, path, query: search, ...(body === undefined ? {} : { body }) }, response: bytes };
}

async function healthKeys(pinCa: boolean): Promise<KeySet> {
  const health = (await (await fetch(`${MOCK_ORIGIN}/health`)).json()) as { platform_pubkey: string; receipt_ca_pubkey?: string };
  return KeySet.fromKeys([], { platformPubkey: health.platform_pubkey, ...(pinCa ? { receiptCaPubkey: health.receipt_ca_pubkey } : {}) });
}

describe('receipts from the mock gateway, extended profile', () => {
  const mock = createMockGateway({ seed: 'receipts-interop', mcp: false });
  serve(mock);
  const keys = () => KeySet.fromDocument(mock.gateway.keySet());

  it('v3 receipts verify with their request and response content, and tampered content fails', async () => {
    const calls = [
      await paidCall(mock.demoTokens.trader, 'GET', '/echo', [['b', '2'], ['a', 'z y'], ['a', "x!'()*"], ['aé', '1'], ['a~', '2']]),
      await paidCall(mock.demoTokens.trader, 'POST', '/echo', [], '{"q":"héllo"}'),
    ];
    for (const c of calls) {
      expect(c.receipt.receipt_version).toBe(3);
      const verdict = await verifyReceipt(c.text, { keys: keys(), content: { request: c.request, response: c.response } });
      expect(verdict).toMatchObject({ valid: true, reason: 'valid', time: { unit: 'rfc3339' } });
      const other = await verifyReceipt(c.receipt, { keys: keys(), content: { response: new Uint8Array([...c.response, 0x20]) } });
      expect(other.reason).toBe('content_mismatch');
    }
  });

  it('v1 and v2 receipts verify against the pinned platform and CA keys', async () => {
    for (const token of [mock.demoTokens.traderV1, mock.demoTokens.traderV2]) {
      const { text, receipt } = await paidCall(token, 'GET', '/echo', [['n', '1']]);
      expect(await verifyReceipt(text, { keys: keys() }), text).toMatchObject({ valid: true, time: { unit: 'unix_seconds' } });
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

describe('receipts from the mock gateway, public profile (keys from /health alone)', () => {
  const mock = createMockGateway({ profile: 'public', seed: 'receipts-interop-public', mcp: false });
  serve(mock);

  it('v1 receipts carry integer amount and Unix-seconds timestamp, and verify', async () => {
    const keys = await healthKeys(false);
    for (const tagged of [false, true]) {
      mock.gateway.setTagV1Receipts(tagged);
      const { text, receipt } = await paidCall(mock.demoTokens.trader, 'GET', '/echo', [['n', '1']]);
      expect(text).toMatch(/"amount":\d+[,}]/);
      expect(text).toMatch(/"timestamp":\d+[,}]/);
      expect('receipt_version' in receipt).toBe(tagged);
      const verdict = await verifyReceipt(text, { keys });
      expect(verdict, text).toMatchObject({ valid: true, time: { unit: 'unix_seconds' } });
      // Read in the wrong unit, seconds would land in January 1970 (or milliseconds after year 50000).
      expect(new Date(verdict.time!.epochMs).getUTCFullYear()).toBeGreaterThanOrEqual(2020);
      expect(new Date(verdict.time!.epochMs).getUTCFullYear()).toBeLessThan(2200);
      const bumped = text.replace(/"amount":(\d+)/, (_, n: string) => `"amount":${Number(n) + 1}`);
      expect((await verifyReceipt(bumped, { keys })).reason).toBe('bad_signature');
    }
    mock.gateway.setTagV1Receipts(false);
  });

  it('v2 receipts with integer certificate windows verify with the CA from /health, and are refused without it', async () => {
    const { text } = await paidCall(mock.demoTokens.traderV2, 'GET', '/echo', [['n', '2']]);
    expect(text).toMatch(/"not_before":\d+,/);
    expect((await verifyReceipt(text, { keys: await healthKeys(true) })).reason).toBe('valid');
    expect(await verifyReceipt(text, { keys: await healthKeys(false) })).toMatchObject({ reason: 'unknown_key', field: 'delegation.receipt_ca_pubkey' });
  });
});
