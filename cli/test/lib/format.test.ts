// USD flags to integer micro-USD, expiry durations and timestamps, aligned tables.
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/lib/exit-codes.js';
import { parseExpiry, renderTable } from '../../src/lib/format.js';
import { parseUsdFlag } from '../../src/lib/money.js';

describe('money and time formatting', () => {
  it('USD flags become integer micro-USD exactly: at most 6 decimals, never negative', async () => {
    expect(await parseUsdFlag('max-cost', '2.50')).toBe(2_500_000);
    expect(await parseUsdFlag('max-cost', '$0.000001')).toBe(1);
    expect(await parseUsdFlag('max-cost', '0.00105')).toBe(1050);
    expect(await parseUsdFlag('max-cost', '1,000')).toBe(1_000_000_000);
    for (const bad of ['1.1234567', '-1', 'abc', '', '0.1.2']) {
      await expect(parseUsdFlag('max-cost', bad)).rejects.toMatchObject({ exitCode: ExitCode.usage, message: expect.stringMatching(/^--max-cost /) });
    }
  });
  it('parses expiry durations and timestamps', () => {
    const now = Date.parse('2026-11-25T12:00:00.000Z');
    expect(parseExpiry('1h', now)).toBe('2026-11-25T13:00:00.000Z');
    expect(parseExpiry('7d', now)).toBe('2026-12-02T12:00:00.000Z');
    expect(parseExpiry('2026-12-01T00:00:00Z', now)).toBe('2026-12-01T00:00:00.000Z');
    expect(parseExpiry('tomorrow', now)).toBeUndefined();
  });
  it('renders aligned tables', () => {
    const out = renderTable([{ a: 'x', b: 1 }, { a: 'long value', b: null }], [
      { header: 'a', get: (r) => r.a },
      { header: 'b', get: (r) => r.b },
    ]);
    expect(out.split('\n')).toEqual(['A           B', 'x           1', 'long value  -']);
  });
});
