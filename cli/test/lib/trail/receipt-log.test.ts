// Every receipt is kept in the monthly log (the audit trail, issue 15): one file per UTC month, and a
// log that cannot be kept refuses the call before it is sent.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { currentReceiptLogFile, receiptLogFiles } from '../../../src/lib/trail/paths.js';
import { ReceiptLog } from '../../../src/lib/trail/receipt-log.js';
import { cli, isolatedEnv } from '../../helpers/run.js';
import { trailLines } from '../../helpers/trail.js';

describe('the receipts log month files', () => {
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    env = await isolatedEnv();
  });
  afterEach(() => env.restore());

  it('roll over at the UTC month boundary (injected clock); the files list oldest first', async () => {
    const entry = (id: string) => ({
      rawReceipt: '{"request_id":"r"}',
      receiptText: '{"request_id":"r"}',
      verdict: { valid: false as const, reason: 'no_keys' as const, message: 'not verified' },
      call: { gateway: 'https://g.test', listingId: 'l', service: 's', method: 'GET', path: '/p', requestId: id, idempotencyKey: null, status: 200, cost: 1n, outcome: 'answered' as const },
    });
    const log = await ReceiptLog.open({ profile: 'default', keep: true });
    for (const [now, id] of [['2026-12-31T23:59:59.999Z', 'a'], ['2027-01-01T00:00:00.000Z', 'b'], ['2026-12-15T10:00:00.000Z', 'c']] as const) {
      process.env['PROXYGATE_NOW'] = now;
      await log.keep(entry(id));
    }
    delete process.env['PROXYGATE_NOW'];
    const dir = join(env.dir, 'data', 'receipts', 'default');
    expect(receiptLogFiles('default')).toEqual([join(dir, '2026-12.jsonl'), join(dir, '2027-01.jsonl')]);
    expect((await trailLines(join(dir, '2026-12.jsonl'))).map((l) => [l.call.request_id, l.recorded_at])).toEqual([
      ['a', '2026-12-31T23:59:59.999Z'],
      ['c', '2026-12-15T10:00:00.000Z'],
    ]);
    expect(currentReceiptLogFile('default', new Date('2027-01-31T23:00:00+05:00'))).toBe(join(dir, '2027-01.jsonl'));
  });

  it('a log directory that cannot be created refuses the call before anything is sent (exit 2)', async () => {
    // The data directory holds a file where the receipts directory should be.
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(env.dir, 'data'), { recursive: true });
    await writeFile(join(env.dir, 'data', 'receipts'), 'a file, not a directory');
    process.env['PROXYGATE_API_KEY'] = 'pg_live_unused_in_this_test_0000';
    const r = await cli(['call', 'echo', '/echo', '--gateway', 'http://127.0.0.1:9']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^usage_error: cannot keep receipts in .*data\/receipts\/default \((ENOTDIR|EEXIST)\); nothing was sent \(set PROXYGATE_DATA_DIR to a writable directory, or pass --no-keep/);
  });
});
