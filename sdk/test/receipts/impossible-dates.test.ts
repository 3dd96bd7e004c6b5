// Defects found in the adversarial review of the receipts module; each test failed before its fix.
import { describe, expect, it } from 'vitest';
import { KeySet, KeySetError, auditReceipts, parseReceipt, verifyReceipt } from '../../src/receipts/index.js';
import { baseV3, chain, docKey, hashReceipt, keyDocument, makeKey, signHead, signV1, signV2, signV3 } from './signer.js';

const k1 = makeKey('k1');
const ca = makeKey('ca');
const ephemeral = makeKey('eph');
const platform = makeKey('platform');
const keys = KeySet.fromDocument(keyDocument([docKey(k1)], { ca, platform }));

describe('audit spend sums keyed by buyer and listing ids', () => {
  it('ids named like Object.prototype members are summed, not lost or turned into strings', async () => {
    const first = signV3(k1, baseV3({ buyer: 'constructor', listing_id: '__proto__', request_id: 'req_a', amount: '1500' }));
    const second = signV3(k1, baseV3({ buyer: '__proto__', listing_id: 'toString', request_id: 'req_b', amount: '700' }));
    const report = await auditReceipts([first, second], { keys });
    expect(report.ok).toBe(true);
    expect(report.spend.total).toBe(2200n);
    expect(Object.entries(report.spend.byBuyer)).toEqual([['constructor', 1500n], ['__proto__', 700n]]);
    expect(Object.entries(report.spend.byListing)).toEqual([['__proto__', 1500n], ['toString', 700n]]);
  });
});

describe('usage reconciliation never throws on a bad usage amount', () => {
  it('a fractional or non-numeric cost is an amount mismatch, not a RangeError', async () => {
    const r = signV3(k1, baseV3({ request_id: 'req_1', amount: '1500' }));
    for (const cost of [1500.5, 'abc', '1e3']) {
      const report = await auditReceipts([r], { keys, usage: [{ request_id: 'req_1', cost_micro_cents: cost }] });
      expect(report.ok, String(cost)).toBe(false);
      expect(report.usage?.amountMismatches).toEqual(['req_1']);
      expect(report.issues.map((i) => i.reason)).toEqual(['content_mismatch']);
    }
  });
});

describe('timestamps that name no real instant are malformed', () => {
  it('v3: 30 February is refused, not read as 2 March', async () => {
    const r = signV3(k1, baseV3({ timestamp: '2026-02-30T12:00:00.000Z' }));
    expect(() => parseReceipt(JSON.stringify(r))).toThrow(/timestamp/);
    expect(await verifyReceipt(r, { keys })).toMatchObject({ valid: false, reason: 'malformed', field: 'timestamp' });
    const hour = signV3(k1, baseV3({ timestamp: '2026-11-25T24:00:00.000Z' }));
    expect(await verifyReceipt(hour, { keys })).toMatchObject({ valid: false, reason: 'malformed' });
  });

  it('v2: a certificate window ending on 31 April is refused', async () => {
    const r = signV2(ca, ephemeral, { request_id: 'req_2', buyer: 'b', seller: 's', amount: 1, timestamp: '2026-04-30T12:00:00Z' },
      { not_before: '2026-04-01T00:00:00Z', not_after: '2026-04-31T00:00:00Z' });
    expect(await verifyReceipt(r, { keys })).toMatchObject({ valid: false, reason: 'malformed', field: 'delegation.not_after' });
  });

  it('key sets: a window bound on 29 February of a common year is refused at load', () => {
    expect(() => KeySet.fromDocument(keyDocument([docKey(k1, { not_before: '2026-02-29T00:00:00.000Z' })]))).toThrow(KeySetError);
  });

  it('real instants still pass: leap day, offsets, end of month', async () => {
    const leap = signV3(k1, baseV3({ timestamp: '2028-02-29T23:59:59.999Z' }));
    expect((await verifyReceipt(leap, { keys })).valid).toBe(true);
    const r = signV2(ca, ephemeral, { request_id: 'req_3', buyer: 'b', seller: 's', amount: 1, timestamp: '2026-04-30T12:00:00+02:00' },
      { not_before: '2026-04-01T00:00:00Z', not_after: '2026-04-30T23:59:59.5Z' });
    expect(await verifyReceipt(r, { keys })).toMatchObject({ valid: true });
    expect(hashReceipt(leap)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('v1 receipt_version', () => {
  // Was refused (an unsigned field); the public gateway emits it, so refusing lost every real receipt.
  it('an unsigned receipt_version: 1 is accepted and kept; turned into 2 it needs a delegation', async () => {
    const v1 = signV1(platform, { request_id: 'req_v1', buyer: 'b', seller: 's', amount: 5, timestamp: '2026-11-25T12:00:00Z' });
    expect((await verifyReceipt(v1, { keys })).valid).toBe(true);
    const versioned = await verifyReceipt({ ...v1, receipt_version: 1 }, { keys });
    expect(versioned).toMatchObject({ valid: true, receipt: { receipt_version: 1 } });
    expect(await verifyReceipt({ ...v1, receipt_version: 2 }, { keys })).toMatchObject({ valid: false, reason: 'malformed', field: 'delegation' });
  });
});

describe('log heads with an impossible timestamp', () => {
  it('a signed head dated 31 June is malformed, not judged as 1 July', async () => {
    const receipts = chain(k1, 2);
    const good = await auditReceipts(receipts, { keys, head: signHead(k1, receipts, 2, 'gateway.test/receipts/tok_buyer1', '2026-06-30T12:00:00.000Z') });
    expect(good.head).toMatchObject({ verified: true });
    const bad = await auditReceipts(receipts, { keys, head: signHead(k1, receipts, 2, 'gateway.test/receipts/tok_buyer1', '2026-06-31T12:00:00.000Z') });
    expect(bad.head).toMatchObject({ verified: false });
    expect(bad.issues).toContainEqual(expect.objectContaining({ reason: 'malformed', field: 'head.timestamp' }));
  });
});

describe('receipts handed over as objects (JSON.parse output) meet the same rules as text', () => {
  it('a lone surrogate is malformed from an object as from text, and does not abort an audit', async () => {
    const hostile = signV3(k1, baseV3({ request_id: 'req_s', seller: 'sel_\uD800' }));
    expect(await verifyReceipt(JSON.stringify(hostile), { keys })).toMatchObject({ valid: false, reason: 'malformed' });
    expect(await verifyReceipt(hostile, { keys })).toMatchObject({ valid: false, reason: 'malformed', field: 'seller' });
    expect(await verifyReceipt(JSON.parse(JSON.stringify(hostile)), { keys })).toMatchObject({ reason: 'malformed', field: 'seller' });
    const fine = signV3(k1, baseV3({ request_id: 'req_f', seller: 'sel_\uD83D\uDE00' }));
    expect(await verifyReceipt(fine, { keys })).toMatchObject({ valid: true });
    const report = await auditReceipts([hostile], { keys, partial: true });
    expect(report.verdicts[0]).toMatchObject({ valid: false, reason: 'malformed' });
  });
});

describe('a signed log head that leaves out receipts issued before it', () => {
  it('is a chain_gap for each receipt it should hold; receipts issued after it are fine', async () => {
    const receipts = chain(k1, 5); // issued 12:00:01 .. 12:00:05
    const stale = await auditReceipts(receipts, { keys, head: signHead(k1, receipts, 3, undefined, '2026-11-25T13:00:00.000Z') });
    expect(stale.head).toMatchObject({ verified: true, rootMatches: true });
    expect(stale.ok).toBe(false);
    expect(stale.issues.filter((i) => i.field === 'head.tree_size').map((i) => [i.reason, i.seq])).toEqual([['chain_gap', 4], ['chain_gap', 5]]);

    const earlier = await auditReceipts(receipts, { keys, head: signHead(k1, receipts, 3, undefined, '2026-11-25T12:00:03.500Z') });
    expect(earlier.ok).toBe(true);
    // The same millisecond is ambiguous (issued and signed at once): not flagged.
    const same = await auditReceipts(receipts, { keys, head: signHead(k1, receipts, 3, undefined, '2026-11-25T12:00:04.000Z') });
    expect(same.ok).toBe(true);
    const after = await auditReceipts(receipts, { keys, head: signHead(k1, receipts, 3, undefined, '2026-11-25T12:00:04.001Z') });
    expect(after.issues.map((i) => i.seq)).toEqual([4]);
  });
});
