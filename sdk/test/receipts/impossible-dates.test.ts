// Dates that name no real instant (30 February, 31 April, 24:00, 29 February of a common year)
// are malformed wherever a receipt, a delegation, a key set or a log head carries them, never
// rolled over to the next day; real instants still pass. Each failed before its fix (review).
import { describe, expect, it } from 'vitest';
import { KeySet, KeySetError, auditReceipts, parseReceipt, verifyReceipt } from '../../src/receipts/index.js';
import { baseV3, chain, docKey, hashReceipt, keyDocument, makeKey, signHead, signV2, signV3 } from './signer.js';

const k1 = makeKey('k1');
const ca = makeKey('ca');
const ephemeral = makeKey('eph');
const platform = makeKey('platform');
const keys = KeySet.fromDocument(keyDocument([docKey(k1)], { ca, platform }));

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
