// One money module: every amount the CLI prints is the SDK's formatUsd of the same micro-USD
// (`@proxygate-kit/sdk/money`), at the edges too (sub-cent, whole dollars, thousands, the largest
// safe integer, v3 amounts beyond it), and what it prints reads back as the same amount.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatUsd } from '@proxygate-kit/sdk/money';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatCallSummary } from '../../src/lib/call-summary.js';
import { loadMoney, parseUsdFlag } from '../../src/lib/money.js';
import { chainKit, type ChainKit } from '../helpers/chains.js';
import { cli, isolatedEnv } from '../helpers/run.js';

const SAFE_EDGES = [0, 1, 9, 10, 99, 100, 9_999, 10_000, 999_999, 1_000_000, 1_000_001, 1_050, 123_456_789, 1_000_000_000_000, Number.MAX_SAFE_INTEGER];
// v3 receipt amounts are integer strings summed as bigint: no safe-integer limit.
const BIG_EDGES = ['18446744073709551615', '100000000000000000000001'];

describe('the SDK formatter itself, pinned at the edges (so a change shows here, not only as a mismatch)', () => {
  it.each([
    [0, '$0.00'],
    [1, '$0.000001'],
    [10_000, '$0.01'],
    [1_050, '$0.00105'],
    [1_000_000, '$1.00'],
    [123_456_789, '$123.456789'],
    [Number.MAX_SAFE_INTEGER, '$9,007,199,254.740991'],
    ['100000000000000000000001', '$100,000,000,000,000,000.000001'],
  ] as const)('%s micro-USD is %s', (amount, text) => {
    expect(formatUsd(amount)).toBe(text);
  });
});

describe('what the CLI prints is the SDK formatter\'s text', () => {
  it('the money the CLI loads is the SDK\'s money module', async () => {
    const money = await loadMoney();
    expect(money.formatUsd).toBe(formatUsd);
  });

  it('a paid call\'s summary line', async () => {
    const money = await loadMoney();
    for (const cost of [...SAFE_EDGES, ...BIG_EDGES.map(BigInt)]) {
      const line = formatCallSummary(money, { cost, requestId: 'req_1', receipt: null, rawReceipt: null, receiptVerdict: null, shield: null });
      expect(line.split(' · ')[0]).toBe(`cost: ${formatUsd(cost)}`);
    }
  });

  it('USD flags read back exactly what is printed', async () => {
    for (const amount of SAFE_EDGES) expect(await parseUsdFlag('max-cost', formatUsd(amount))).toBe(amount);
  });

  describe('receipts verify --list and receipts audit, on signed receipts of edge amounts', () => {
    let env: Awaited<ReturnType<typeof isolatedEnv>>;
    let kit: ChainKit;
    let keys: string;
    let file: string;
    const amounts = [...SAFE_EDGES.map(String), ...BIG_EDGES];
    beforeEach(async () => {
      env = await isolatedEnv();
      kit = chainKit();
      keys = join(env.dir, 'keys.json');
      file = join(env.dir, 'r.jsonl');
      await writeFile(keys, JSON.stringify(kit.keys));
      // The kit signs `String(amount)`: an integer string of any size goes through as it is.
      await writeFile(file, `${amounts.map((a) => kit.next('tok_a', a as unknown as number)).join('\n')}\n`);
    });
    afterEach(() => env.restore());

    it('verify --list --json: amount_usd is formatUsd(amount_micro_usd) for every receipt', async () => {
      const r = await cli(['receipts', 'verify', file, '--keys', keys, '--list', '--json']);
      expect(r.exitCode).toBe(0);
      const listed = (JSON.parse(r.stdout) as { receipts: Array<{ amount_micro_usd: string; amount_usd: string }> }).receipts;
      expect(listed.map((l) => l.amount_micro_usd)).toEqual(amounts);
      for (const l of listed) expect(l.amount_usd).toBe(formatUsd(l.amount_micro_usd));
    });

    it('verify --list (text) prints the same text', async () => {
      const r = await cli(['receipts', 'verify', file, '--keys', keys, '--list']);
      expect(r.exitCode).toBe(0);
      const lines = r.stdout.trim().split('\n').slice(0, amounts.length);
      expect(lines).toHaveLength(amounts.length);
      lines.forEach((line, i) => expect(line.split(' ')).toContain(formatUsd(amounts[i]!)));
    });

    it('audit (text): the spend total', async () => {
      const r = await cli(['receipts', 'audit', file, '--keys', keys]);
      expect(r.exitCode).toBe(0);
      const total = amounts.reduce((sum, a) => sum + BigInt(a), 0n);
      expect(r.stdout).toContain(`spend ${formatUsd(total)} (${total} micro-USD)`);
    });
  });
});
