// `call --batch --max-total`: lines reserve their price before they are sent and settle to the charge.
import { describe, expect, it } from 'vitest';
import { Budget } from '../../../src/lib/batch/budget.js';

describe('Budget', () => {
  it('reserves before a call and settles to what was charged', () => {
    const budget = new Budget(10_000);
    expect(budget.reserve(6_000)).toBe(true);
    expect(budget.reserve(6_000)).toBe(false);
    budget.settle(6_000, 0);
    expect(budget.reserve(6_000)).toBe(true);
    budget.settle(6_000, 5_000);
    expect(budget.left).toBe(5_000);
    expect(budget.spent).toBe(5_000);
  });
});
