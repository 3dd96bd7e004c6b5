import { describe, expect, test } from 'vitest';
import { receiptAmount } from '../../src/receipts/amount.js';

describe('receiptAmount', () => {
  test('integer strings of any size and safe integers become bigints (one type), anything else is null', () => {
    expect(receiptAmount({ amount: '1500' })).toBe(1500n);
    expect(receiptAmount({ amount: 1500 })).toBe(1500n);
    expect(receiptAmount({ amount: '9007199254740991' })).toBe(BigInt(Number.MAX_SAFE_INTEGER));
    expect(receiptAmount({ amount: '9007199254740993' })).toBe(9_007_199_254_740_993n);
    expect(receiptAmount({ amount: '01' })).toBeNull();
    expect(receiptAmount({ amount: '1.5' })).toBeNull();
    expect(receiptAmount({ amount: '-3' })).toBeNull();
    expect(receiptAmount({ amount: -3 })).toBeNull();
    expect(receiptAmount({ amount: 2 ** 60 })).toBeNull();
  });
});
