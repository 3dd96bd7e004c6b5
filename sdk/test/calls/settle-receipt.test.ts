import { describe, expect, test } from 'vitest';
import { settleReceipt, type SentRequest } from '../../src/resources/calls/settle.js';

const sent: SentRequest = { method: 'GET', path: '/x', query: [], body: undefined };
const neverCalled = async () => {
  throw new Error('verify must not run');
};

describe('settleReceipt without a usable receipt', () => {
  test('a charged call with a key set and no receipt is reported, not ignored', async () => {
    const settled = await settleReceipt({
      rawReceipt: undefined,
      claimedShield: null,
      request: sent,
      response: new Uint8Array(),
      verify: neverCalled,
      receiptExpected: true,
    });
    expect(settled.receiptVerdict).toMatchObject({ valid: false, reason: 'malformed', field: 'receipt' });
  });

  test('without a key set a missing receipt leaves no verdict', async () => {
    const settled = await settleReceipt({
      rawReceipt: undefined,
      claimedShield: null,
      request: sent,
      response: new Uint8Array(),
      verify: undefined,
      receiptExpected: true,
    });
    expect(settled.receiptVerdict).toBeNull();
  });

  test('garbage and unknown versions become verdicts, never exceptions', async () => {
    const base = { claimedShield: null, request: sent, response: new Uint8Array(), verify: neverCalled, receiptExpected: true };
    expect((await settleReceipt({ ...base, rawReceipt: '{"receipt_version": 9}' })).receiptVerdict?.reason).toBe('unsupported_version');
    expect((await settleReceipt({ ...base, rawReceipt: '%%%' })).receiptVerdict?.reason).toBe('malformed');
    expect((await settleReceipt({ ...base, rawReceipt: '{"amount": 1, "amount": 2}' })).receiptVerdict?.reason).toBe('malformed');
  });
});
