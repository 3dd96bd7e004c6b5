// `usage --from/--to`: a duration before now, a plain date (a --to date through its end) or an instant.
import { describe, expect, it } from 'vitest';
import { usageBound } from '../../../src/commands/usage.js';

describe('usage --from/--to', () => {
  const now = Date.parse('2026-12-02T12:00:00.000Z');
  it('take a duration before now, a plain date (a --to date through its end) or an instant', () => {
    expect(usageBound('from', '7d', now)).toBe('2026-11-25T12:00:00.000Z');
    expect(usageBound('from', '24h', now)).toBe('2026-12-01T12:00:00.000Z');
    expect(usageBound('from', '30m', now)).toBe('2026-12-02T11:30:00.000Z');
    expect(usageBound('to', '2w', now)).toBe('2026-11-18T12:00:00.000Z');
    expect(usageBound('from', '2026-11-01', now)).toBe('2026-11-01T00:00:00.000Z');
    expect(usageBound('to', '2026-11-30', now)).toBe('2026-11-30T23:59:59.999Z');
    expect(usageBound('to', '2026-11-30T10:00:00Z', now)).toBe('2026-11-30T10:00:00.000Z');
    expect(() => usageBound('from', 'last week', now)).toThrow(expect.objectContaining({ exitCode: 2, action: expect.stringContaining('a duration before now (30m, 24h, 7d, 2w)') }));
    // The example dates are the day of `now`, never a fixed one.
    expect(() => usageBound('to', 'yesterday', now)).toThrow(expect.objectContaining({ action: expect.stringContaining(`a date like ${new Date(now).toISOString().slice(0, 10)}, or RFC 3339 like ${new Date(now).toISOString().slice(0, 10)}T00:00:00Z`) }));
  });
});
