import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { formatUsd, parseUsd, sumMicroCents, toMicroCents, toSafeNumber, ValidationError } from '@proxygate-kit/sdk';

describe('money helpers', () => {
  test('format examples', () => {
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(150_000)).toBe('$0.0015');
    expect(formatUsd(100_000_000)).toBe('$1.00');
    expect(formatUsd(1_000_000n)).toBe('$0.01');
    expect(formatUsd('123456789012345678901')).toBe('$1,234,567,890,123.45678901');
    expect(formatUsd(-50_000_000)).toBe('-$0.50');
  });

  test('parse examples and refusals', () => {
    expect(parseUsd('1.25')).toBe(125_000_000n);
    expect(parseUsd(' $0.0015 ')).toBe(150_000n);
    expect(parseUsd('1,000')).toBe(100_000_000_000n);
    for (const bad of ['', '1.123456789', 'abc', '1e3', '0x10', '1.', '.5', 'NaN']) {
      expect(() => parseUsd(bad), bad).toThrow(ValidationError);
    }
  });

  test('format then parse is the identity for any integer amount', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), (amount) => {
        expect(parseUsd(formatUsd(amount))).toBe(amount);
      }),
    );
  });

  test('amounts are integers only; sums are exact beyond 2^53', () => {
    expect(() => toMicroCents(1.5)).toThrow(ValidationError);
    expect(() => toMicroCents(2 ** 53)).toThrow(ValidationError);
    expect(() => toMicroCents('01')).toThrow(ValidationError);
    expect(sumMicroCents([Number.MAX_SAFE_INTEGER, '1', 1n])).toBe(BigInt(Number.MAX_SAFE_INTEGER) + 2n);
    expect(() => toSafeNumber(BigInt(Number.MAX_SAFE_INTEGER) + 1n)).toThrow(ValidationError);
    expect(toSafeNumber(42n)).toBe(42);
  });
});
