// A validly signed v3 receipt whose hashes match can still name another call (listing, service,
// method, path), another buyer, or charge more than the caller allowed: settleReceipt reports it.
import { describe, expect, test } from 'vitest';
import { KeySet } from '../../src/receipts/key-set.js';
import { requestSha256, responseSha256 } from '../../src/receipts/hashes.js';
import { verifyReceipt } from '../../src/receipts/verify.js';
import { settleReceipt, type ExpectedCall, type ReceiptVerifier, type SentRequest } from '../../src/resources/calls/settle.js';
import { baseV3, docKey, keyDocument, makeKey, signV3, type UnsignedV3 } from '../receipts/signer.js';

const key = makeKey('bind1');
const keys = KeySet.fromDocument(keyDocument([docKey(key)]));
const verify: ReceiptVerifier = (receipt, content) => verifyReceipt(receipt, { keys, content: { request: content.request, response: content.response } });

const sent: SentRequest = { method: 'GET', path: '/v1/forecast', query: [['city', 'Oslo']], body: undefined };
const response = new TextEncoder().encode('{"temp":3}');
const expected: ExpectedCall = { listingId: 'lst_weather', service: 'weather', buyer: 'tok_buyer1', maxCost: 2000n };

async function settle(overrides: Partial<UnsignedV3>, want: ExpectedCall = expected, withKeys = true) {
  const receipt = signV3(
    key,
    baseV3({ request_sha256: await requestSha256(sent), response_sha256: await responseSha256(response), ...overrides }),
  );
  return settleReceipt({
    rawReceipt: JSON.stringify(receipt),
    claimedShield: null,
    request: sent,
    response,
    verify: withKeys ? verify : undefined,
    receiptExpected: true,
    expected: want,
  });
}

describe('settleReceipt binds the receipt to the call made', () => {
  test('a receipt for this call, buyer and price is valid', async () => {
    const settled = await settle({});
    expect(settled.receiptVerdict).toMatchObject({ valid: true, reason: 'valid' });
    expect(settled.cost).toBe(1500n);
  });

  test.each([
    ['listing_id', { listing_id: 'lst_other' }],
    ['service', { service: 'maps' }],
    ['method', { method: 'POST' }],
    ['path', { path: '/v1/other' }],
    ['buyer', { buyer: 'tok_someone_else' }],
  ] as const)('a signed %s naming another call is content_mismatch on that field', async (field, overrides) => {
    for (const withKeys of [true, false]) {
      const settled = await settle(overrides, expected, withKeys);
      expect(settled.receiptVerdict).toMatchObject({ valid: false, reason: 'content_mismatch', field });
      expect(settled.receipt).not.toBeNull(); // the receipt (and so the charge) stays visible
    }
  });

  test('buyer is only checked when the token id is known', async () => {
    const settled = await settle({ buyer: 'tok_someone_else' }, { listingId: 'lst_weather', service: 'weather' });
    expect(settled.receiptVerdict).toMatchObject({ valid: true });
  });

  test('an amount above maxCost is reported as an overcharge, with the cost kept', async () => {
    const settled = await settle({ amount: '2001' });
    expect(settled.receiptVerdict).toMatchObject({ valid: false, reason: 'content_mismatch', field: 'amount' });
    expect(settled.receiptVerdict?.message).toMatch(/overcharge/);
    expect(settled.cost).toBe(2001n);
    expect((await settle({ amount: '2000' })).receiptVerdict).toMatchObject({ valid: true });
    expect((await settle({ amount: '99999' }, { listingId: 'lst_weather', service: 'weather' })).receiptVerdict).toMatchObject({ valid: true });
  });

  test('huge amounts are compared as integers, not floats', async () => {
    const want: ExpectedCall = { ...expected, maxCost: 9_007_199_254_740_993n };
    expect((await settle({ amount: '9007199254740993' }, want)).receiptVerdict).toMatchObject({ valid: true });
    expect((await settle({ amount: '9007199254740994' }, want)).receiptVerdict).toMatchObject({ field: 'amount' });
  });

  test('a bad signature is reported before any field mismatch', async () => {
    const receipt = signV3(key, baseV3({ listing_id: 'lst_other' }));
    const settled = await settleReceipt({
      rawReceipt: JSON.stringify({ ...receipt, amount: '1' }),
      claimedShield: null,
      request: sent,
      response,
      verify,
      receiptExpected: true,
      expected,
    });
    expect(settled.receiptVerdict).toMatchObject({ valid: false, reason: 'bad_signature' });
  });
});
