import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  formatUsd,
  parseUsd,
  sumMicroUsd,
  toMicroUsd,
  toSafeNumber,
  usdPerTokenToMicroUsdPerMillion,
  usdToMicroUsd,
  ValidationError,
} from '@proxygate-kit/sdk';

/** Exact decimal text of `units / 10^digits`, built from integers only (the oracle of these tests). */
function decimal(units: bigint, digits: number): string {
  const padded = units.toString().padStart(digits + 1, '0');
  const fraction = padded.slice(-digits).replace(/0+$/, '');
  const whole = padded.slice(0, -digits);
  return fraction ? `${whole}.${fraction}` : whole;
}

/** The smallest integer >= the exact value of a decimal text times 10^digits, by string arithmetic on its digits. */
function ceilScaled(text: string, digits: number): bigint {
  const [mantissa = '', exp = '0'] = text.toLowerCase().split('e');
  const [whole = '', fraction = ''] = mantissa.split('.');
  const point = whole.length + Number(exp) + digits;
  const all = `${whole}${fraction}`;
  if (point <= 0) return /[1-9]/.test(all) ? 1n : 0n;
  const head = point >= all.length ? all.padEnd(point, '0') : all.slice(0, point);
  const rest = point >= all.length ? '' : all.slice(point);
  return BigInt(head) + (/[1-9]/.test(rest) ? 1n : 0n);
}

describe('money: integer micro-USD', () => {
  test('format examples', () => {
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(1_050)).toBe('$0.00105');
    expect(formatUsd(1_000_000)).toBe('$1.00');
    expect(formatUsd(10_000n)).toBe('$0.01');
    expect(formatUsd(5_000)).toBe('$0.005');
    expect(formatUsd('1234567890123456789')).toBe('$1,234,567,890,123.456789');
    expect(formatUsd(-500_000)).toBe('-$0.50');
  });

  test('parse examples and refusals (more than 6 decimals is an error, not a rounding)', () => {
    expect(parseUsd('1.25')).toBe(1_250_000n);
    expect(parseUsd(' $0.00105 ')).toBe(1_050n);
    expect(parseUsd('1,000')).toBe(1_000_000_000n);
    for (const bad of ['', '1.1234567', 'abc', '1e3', '0x10', '1.', '.5', 'NaN']) {
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
    expect(() => toMicroUsd(1.5)).toThrow(ValidationError);
    expect(() => toMicroUsd(2 ** 53)).toThrow(ValidationError);
    expect(() => toMicroUsd('01')).toThrow(ValidationError);
    expect(sumMicroUsd([Number.MAX_SAFE_INTEGER, '1', 1n])).toBe(BigInt(Number.MAX_SAFE_INTEGER) + 2n);
    expect(() => toSafeNumber(BigInt(Number.MAX_SAFE_INTEGER) + 1n)).toThrow(ValidationError);
    expect(toSafeNumber(42n)).toBe(42);
  });
});

describe('money: catalog USDC floats to integer micro-USD, from their decimal text', () => {
  test('examples: the published buyer price, exponent forms, rounding up', () => {
    expect(usdToMicroUsd(0.00105)).toBe(1_050);
    expect(usdToMicroUsd(0.001)).toBe(1_000);
    expect(usdToMicroUsd(0)).toBe(0);
    expect(usdToMicroUsd(12.5)).toBe(12_500_000);
    expect(usdToMicroUsd(1e-6)).toBe(1);
    expect(usdToMicroUsd(1e-7)).toBe(1); // "1e-7": below the unit, rounded up, never to 0
    expect(usdToMicroUsd(1.5e-6)).toBe(2);
    expect(usdToMicroUsd(2e-5)).toBe(20);
    expect(usdToMicroUsd(0.1 + 0.2)).toBe(300_001); // "0.30000000000000004": more precise than the unit, rounded up
    expect(usdToMicroUsd(0.7 + 0.1)).toBe(800_000); // "0.7999999999999999" rounds up to the intended amount
    expect(usdToMicroUsd('0.00105')).toBe(1_050);
    expect(usdPerTokenToMicroUsdPerMillion(0.000002)).toBe(2_000_000); // $2 per million tokens
    expect(usdPerTokenToMicroUsdPerMillion(1.5e-7)).toBe(150_000);
    expect(usdPerTokenToMicroUsdPerMillion(1e-13)).toBe(1); // finer than the unit: rounded up
  });

  test('refusals: negative, non-finite, not a number, unsafe once converted', () => {
    for (const bad of [-0.001, Number.NaN, Number.POSITIVE_INFINITY, '-1', 'abc', '', '0x10']) {
      expect(() => usdToMicroUsd(bad), String(bad)).toThrow(ValidationError);
    }
    expect(() => usdToMicroUsd(1e10)).toThrow(ValidationError); // 1e16 micro-USD > 2^53
  });

  test('any micro-USD amount printed as a USDC float converts back exactly (no float error)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999_999_999 }), (micro) => {
        // What a gateway does: an exact decimal, parsed to the nearest double, printed by JSON.
        const float = Number(decimal(BigInt(micro), 6));
        expect(usdToMicroUsd(float)).toBe(micro);
        expect(usdToMicroUsd(JSON.parse(JSON.stringify(float)) as number)).toBe(micro);
      }),
    );
  });

  test('per-token prices up to 12 decimals of USD convert exactly to micro-USD per million tokens', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999_999_999 }), (perMillion) => {
        const float = Number(decimal(BigInt(perMillion), 12));
        expect(usdPerTokenToMicroUsdPerMillion(float)).toBe(perMillion);
      }),
    );
  });

  test('float sums and products (0.1 + 0.2 style) are never understated: the result is the ceiling of the text', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 10_000_000 }), (a, b) => {
        const sum = a / 1e6 + b / 1e6; // float arithmetic a gateway might have done
        const converted = usdToMicroUsd(sum);
        expect(converted).toBe(Number(ceilScaled(String(sum), 6)));
        // The float error is far below one micro-USD: at most one unit above the intended amount, never below it.
        expect(converted - (a + b)).toBeGreaterThanOrEqual(0);
        expect(converted - (a + b)).toBeLessThanOrEqual(1);
      }),
    );
  });

  test('every double (exponent forms included) converts to the ceiling of its decimal text', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true }), (value) => {
        expect(BigInt(usdToMicroUsd(value))).toBe(ceilScaled(String(value), 6));
      }),
    );
  });
});
