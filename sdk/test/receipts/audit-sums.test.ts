// The audit sums spend under any buyer or listing id, and reconciles any usage amount, without
// throwing or losing a sum (adversarial review).
import { describe, expect, it } from 'vitest';
import { KeySet, auditReceipts } from '../../src/receipts/index.js';
import { baseV3, docKey, keyDocument, makeKey, signV3 } from './signer.js';

const k1 = makeKey('k1');
const ca = makeKey('ca');
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
