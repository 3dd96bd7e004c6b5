// v1 receipts as the public gateway sends them, with an unsigned receipt_version (review).
import { describe, expect, it } from 'vitest';
import { KeySet, verifyReceipt } from '../../src/receipts/index.js';
import { docKey, keyDocument, makeKey, signV1 } from './signer.js';

const k1 = makeKey('k1');
const ca = makeKey('ca');
const platform = makeKey('platform');
const keys = KeySet.fromDocument(keyDocument([docKey(k1)], { ca, platform }));

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
