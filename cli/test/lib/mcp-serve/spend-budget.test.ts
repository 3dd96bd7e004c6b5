// The session and day budget of `mcp serve` (the whole server runs as a subprocess in
// test/cli/mcp-serve.test.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DailySpendStore } from '../../../src/lib/mcp-serve/daily-spend.js';
import { BudgetExceeded, SpendBudget } from '../../../src/lib/mcp-serve/spend-budget.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pg-mcp-parts-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const at = new Date('2026-12-02T10:00:00Z');
const store = () => new DailySpendStore(join(dir, 'spend'), 'http://127.0.0.1:9', () => at);

describe('the session budget', () => {
  it('refuses a price that could pass what is left, holds reservations, counts receipts', async () => {
    const budget = new SpendBudget({ sessionMicroUsd: 10_000 }, undefined);
    const a = await budget.reserve(6_000);
    await expect(budget.reserve(6_000)).rejects.toBeInstanceOf(BudgetExceeded);
    await budget.settle(a, 5_105);
    expect(budget.usedMicroUsd).toBe(5_105);
    const b = await budget.reserve(4_895);
    await expect(budget.reserve(1)).rejects.toMatchObject({ refusal: { scope: 'session', usedMicroUsd: 10_000, limitMicroUsd: 10_000, priceMicroUsd: 1 } });
    await budget.release(b);
    expect(budget.usedMicroUsd).toBe(5_105);
  });

  it('the day limit comes from the shared file', async () => {
    const budget = new SpendBudget({ dailyMicroUsd: 1_000 }, store());
    await store().reserve(900, 10_000);
    await expect(budget.reserve(200)).rejects.toMatchObject({ refusal: { scope: 'day', usedMicroUsd: 900 } });
    expect(budget.usedMicroUsd).toBe(0);
  });
});
