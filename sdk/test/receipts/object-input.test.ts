// A receipt handed over as an object (JSON.parse output) is judged by the same rules as its
// text (adversarial review).
import { describe, expect, it } from 'vitest';
import { KeySet, auditReceipts, verifyReceipt } from '../../src/receipts/index.js';
import { baseV3, docKey, keyDocument, makeKey, signV3 } from './signer.js';

const k1 = makeKey('k1');
const ca = makeKey('ca');
const platform = makeKey('platform');
const keys = KeySet.fromDocument(keyDocument([docKey(k1)], { ca, platform }));

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
