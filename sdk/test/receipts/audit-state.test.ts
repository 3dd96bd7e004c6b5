import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AuditStateError, KeySet, auditStream, nextAuditState, parseAuditState, serializeAuditState, type AuditState,
} from '../../src/receipts/index.js';
import { readAuditStateFile, writeAuditStateFile, writeFileAtomic, createVerifierPool } from '../../src/receipts/node.js';
import { chain, docKey, keyDocument, makeKey, signHead, signV1, signV3, baseV3 } from './signer.js';

const k1 = makeKey('k1');
const logKey = makeKey('log');
const platform = makeKey('platform');
const keys = KeySet.fromDocument(keyDocument([docKey(k1), docKey(logKey)], { platform }));
const a = chain(k1, 30, 'tok_a');
const b = chain(k1, 12, 'tok_b');
const v1 = (i: number) => signV1(platform, { request_id: `v1_${i}`, buyer: 'wallet', seller: 's', amount: 10 * i, timestamp: 1_700_000_000 + i });
const findings = (r: { issues: { reason: string; field?: string; seq?: number }[] }) => r.issues.map((i) => [i.reason, i.field, i.seq]);
const sum = (rs: { amount: string }[]) => rs.reduce((s, r) => s + BigInt(r.amount), 0n).toString();
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** One incremental run: audit `receipts` from `state`, fold a clean report into the next state. */
async function run(receipts: unknown[], state: AuditState | undefined, extra: Parameters<typeof auditStream>[1] extends infer O ? Partial<O> : never = {}) {
  const report = await auditStream(receipts as string[], { keys, state, ...extra });
  const next = report.ok ? await nextAuditState(report, { keys, previous: state }) : undefined;
  return { report, next };
}

describe('incremental audit state', () => {
  it('three runs: each continues the last; the state totals everything exactly', async () => {
    const r1 = await run([...a.slice(0, 10), ...b.slice(0, 4), v1(1)], undefined);
    expect(r1.report.ok).toBe(true);
    const r2 = await run([...b.slice(4, 12), ...a.slice(10, 20), v1(2)], r1.next);
    expect(r2.report.issues).toEqual([]);
    const r3 = await run(a.slice(20), r2.next);
    expect(r3.report.ok).toBe(true);
    const s = r3.next!;
    expect(s.audits).toBe(3);
    expect(s.chains.map((c) => [c.buyer, c.first.seq, c.tail.seq, c.receipts, c.total])).toEqual([
      ['tok_a', 1, 30, 30, sum(a)],
      ['tok_b', 1, 12, 12, sum(b)],
    ]);
    expect(s.legacy).toEqual([{ buyer: 'wallet', receipts: 2, total: '30' }]);
    expect(s.spend.total).toBe((BigInt(sum(a)) + BigInt(sum(b)) + 30n).toString());
    // The state's range is the log's: a head over all 30 receipts is checked from it alone.
    const head = signHead(logKey, a, 30, 'log/tok_a', '2026-11-26T00:00:00.000Z');
    const headOnly = await auditStream([], { keys, state: s, head, headBuyer: 'tok_a' });
    expect(headOnly.head).toMatchObject({ verified: true, root_matches: true, tree_size: 30 });
  });

  it('a receipt deleted between runs is caught: the next run must start at tail.seq + 1', async () => {
    const r1 = await run(a.slice(0, 10), undefined);
    const r2 = await run(a.slice(10, 20), r1.next);
    const r3 = await run(a.slice(21), r2.next); // seq 21 deleted before the third run
    expect(findings(r3.report)).toEqual([['chain_gap', 'seq', 22]]);
    expect(r3.report.issues[0]!.message).toBe('seq 21..21 missing before seq 22');
    await expect(nextAuditState(r3.report, { keys, previous: r2.next })).rejects.toMatchObject({ code: 'not_continuable' });
  });

  it('a receipt that does not link to the tail (altered or replaced) is a fork', async () => {
    const r1 = await run(a.slice(0, 10), undefined);
    const forged = signV3(k1, baseV3({ ...a[10]!, prev: 'e'.repeat(64) }));
    const r2 = await run([forged, ...a.slice(11, 15)], r1.next);
    expect(findings(r2.report)).toEqual([['chain_fork', 'prev', 11], ['chain_fork', 'prev', 12]]);
  });

  it('a cumulative input: audited receipts are re-linked to the tail, not re-verified; deletions and edits among them are caught', async () => {
    const r1 = await run(a.slice(0, 20), undefined);
    const again = await run(a, r1.next);
    expect(again.report.ok).toBe(true);
    expect(again.report.counts).toMatchObject({ receipts: 30, replayed: 20, valid: 10 });
    expect(again.report.spend.total).toBe(sum(a.slice(20)));
    // seq 5 deleted from the store since the first run:
    const deleted = await run([...a.slice(0, 4), ...a.slice(5)], r1.next);
    expect(findings(deleted.report)).toEqual([['chain_gap', 'seq', 6]]);
    // seq 20 (the tail) edited: its hash is no longer the one the state holds (21 still links to the original).
    const edited = JSON.stringify({ ...a[19]!, amount: '1' });
    const altered = await run([...a.slice(0, 19), edited, ...a.slice(20)], r1.next);
    expect(findings(altered.report)).toEqual([['chain_fork', 'seq', 20]]);
    // seq 7 edited: seq 8 no longer links to it.
    const early = await run([...a.slice(0, 6), JSON.stringify({ ...a[6]!, amount: '1' }), ...a.slice(7)], r1.next);
    expect(findings(early.report)).toEqual([['chain_fork', 'prev', 8]]);
    // The input stops before the tail: seq 16..20 are gone.
    const cut = await run(a.slice(0, 15), r1.next);
    expect(findings(cut.report)).toEqual([['chain_gap', 'seq', 16]]);
  });

  it('carries the accepted log head: the next head must extend it', async () => {
    const h1 = signHead(logKey, a, 10, 'log/tok_a', '2026-11-26T00:00:00.000Z');
    const r1 = await run(a.slice(0, 10), undefined, { head: h1 });
    expect(r1.next!.chains[0]!.head).toEqual(h1);
    const h2 = signHead(logKey, a, 20, 'log/tok_a', '2026-11-26T01:00:00.000Z');
    const r2 = await run(a.slice(10, 20), r1.next, { head: h2 });
    expect(r2.report.head).toMatchObject({ verified: true, root_matches: true, extends_previous: true });
    const other = signHead(logKey, a, 20, 'log/other', '2026-11-26T01:00:00.000Z');
    const r3 = await run(a.slice(10, 20), r1.next, { head: other });
    expect(findings(r3.report)).toEqual([['chain_fork', 'head.origin', undefined]]);
  });
});

describe('state files', () => {
  async function state(): Promise<AuditState> {
    const r = await run(a.slice(0, 5), undefined);
    return r.next!;
  }

  it('round-trips through its text', async () => {
    const s = await state();
    expect(await parseAuditState(serializeAuditState(s), keys)).toEqual(s);
  });

  it('a damaged, edited, foreign or future state is refused with a typed error, never trusted', async () => {
    const text = serializeAuditState(await state());
    const refused = async (t: string, k = keys) => {
      const error = await parseAuditState(t, k).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(AuditStateError);
      return (error as AuditStateError).code;
    };
    expect(await refused(text.slice(0, text.length / 2))).toBe('malformed');
    expect(await refused(text.replace('"tail": {\n        "seq": 5', '"tail": {\n        "seq": 4'))).toBe('digest_mismatch');
    expect(await refused(text.replace('"version": 1', '"version": 2'))).toBe('unsupported_version');
    const otherKeys = KeySet.fromDocument(keyDocument([docKey(makeKey('k1')), docKey(logKey)], { platform }));
    expect(await refused(text, otherKeys)).toBe('key_set_mismatch');
    expect(await refused('[]')).toBe('malformed');
  });

  it('a state object made with other keys is refused by the audit too, before any receipt is read', async () => {
    const s = await state();
    const otherKeys = KeySet.fromDocument(keyDocument([docKey(makeKey('k1'))]));
    await expect(auditStream(a, { keys: otherKeys, state: s })).rejects.toMatchObject({ name: 'AuditStateError', code: 'key_set_mismatch' });
  });

  it('is written atomically, 0600, and read back; a missing file is a first run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'audit-state-'));
    dirs.push(dir);
    const path = join(dir, 'state.json');
    expect(await readAuditStateFile(path, keys)).toBeUndefined();
    const s = await state();
    await writeFile(path, 'old content');
    await writeAuditStateFile(path, s);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['state.json']);
    expect(await readAuditStateFile(path, keys)).toEqual(s);
    await writeFileAtomic(path, '{"broken":');
    await expect(readAuditStateFile(path, keys)).rejects.toMatchObject({ code: 'malformed' });
    expect(await readFile(path, 'utf8')).toBe('{"broken":');
  });
});

describe('worker pool audit', () => {
  it('gives the same report as the in-thread audit', async () => {
    const input = [...a.slice(0, 12), a[3]!, ...b.slice(1), JSON.stringify({ ...b[0]!, amount: '2' })].map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n');
    const pool = createVerifierPool(keys, { size: 2, batchSize: 4 });
    try {
      const pooled = await pool.audit({ name: 'f', lines: [input] });
      const single = await auditStream({ name: 'f', lines: [input] }, { keys });
      expect(pooled).toEqual(single);
      expect(findings(pooled).sort()).toEqual([['bad_signature', 'signature', 1], ['chain_gap', 'seq', 2], ['duplicate', 'request_id', 4]]);
    } finally {
      await pool.close();
    }
  });
});
