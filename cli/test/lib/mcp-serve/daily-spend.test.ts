// The daily spend file `mcp serve` shares between servers (the whole server runs as a subprocess in
// test/cli/mcp-serve.test.ts): reservations under a lock, a dead process's lock broken.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DailySpendStore } from '../../../src/lib/mcp-serve/daily-spend.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pg-mcp-parts-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const at = new Date('2026-12-02T10:00:00Z');
const store = () => new DailySpendStore(join(dir, 'spend'), 'http://127.0.0.1:9', () => at);

describe('the daily spend file', () => {
  it('concurrent reservations from separate stores never pass the limit; settling counts the receipt amount', async () => {
    const stores = Array.from({ length: 4 }, store);
    const results = await Promise.allSettled(Array.from({ length: 24 }, (_, i) => stores[i % 4]!.reserve(100, 1_000)));
    const taken = results.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<DailySpendStore['reserve']>>> => r.status === 'fulfilled');
    expect(taken).toHaveLength(10);
    expect(await store().used()).toBe(1_000);
    // Receipts for less than the reserved price: the difference is free again.
    await Promise.all(taken.slice(0, 5).map((r) => stores[0]!.settle(r.value, 60)));
    await Promise.all(taken.slice(5).map((r) => stores[1]!.release(r.value)));
    const state = JSON.parse(await readFile(store().fileOf('2026-12-02'), 'utf8'));
    expect(state).toMatchObject({ proxygate_daily_spend: 1, day: '2026-12-02', spent_micro_usd: 300, reservations: {} });
    expect(await store().used()).toBe(300);
  });

  it('a lock left by a process that died is broken; a damaged file refuses', async () => {
    const dead = spawn(process.execPath, ['-e', '0']);
    const pid = await new Promise<number>((resolve) => dead.once('exit', () => resolve(dead.pid!)));
    const s = store();
    await s.reserve(1, 10); // creates the directory
    await writeFile(`${s.fileOf('2026-12-02')}.lock`, String(pid));
    await expect(s.reserve(1, 10)).resolves.toMatchObject({ microUsd: 1 });
    await writeFile(s.fileOf('2026-12-02'), '{"broken"');
    await expect(s.reserve(1, 10)).rejects.toMatchObject({ code: 'daily_spend_unreadable' });
  });
});
