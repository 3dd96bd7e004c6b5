import { describe, expect, it } from 'vitest';
import {
  AuditReportError, KeySet, auditStream, mergeAuditReports, nextAuditState, parseAuditReport, serializeAuditReport, type AuditResult,
} from '../../src/receipts/index.js';
import { baseV3, chain, docKey, hashReceipt, keyDocument, makeKey, signHead, signV1, signV3 } from './signer.js';

const k1 = makeKey('k1');
const logKey = makeKey('log');
const platform = makeKey('platform');
const keys = KeySet.fromDocument(keyDocument([docKey(k1), docKey(logKey)], { platform }));
const a = chain(k1, 30, 'tok_a');
const b = chain(k1, 10, 'tok_b');
const sum = (rs: { amount: string }[]) => rs.reduce((s, r) => s + BigInt(r.amount), 0n);
const findings = (r: AuditResult) => r.issues.map((i) => [i.reason, i.field, i.seq]);
const slice = (name: string, receipts: unknown[]) =>
  auditStream({ name, lines: [receipts.map((r) => JSON.stringify(r)).join('\n')] }, { keys, slice: true });

/** Every order of the parts (up to 4 parts: 24 orders). */
function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}

describe('mergeAuditReports', () => {
  it('slices that join (by day, by buyer, by range) merge into a clean report in any order, totals exact', async () => {
    const big = signV1(platform, { request_id: 'v1_big', buyer: 'wallet', seller: 's', amount: 9_007_199_254_740_991, timestamp: 1_700_000_000 });
    const parts = await Promise.all([
      slice('day1.jsonl', [...a.slice(0, 8), big]),
      slice('day2.jsonl', [...a.slice(8, 19), ...b.slice(0, 5)]),
      slice('day3.jsonl', [...b.slice(5), ...a.slice(19, 25)]),
      slice('tok_a-tail.jsonl', a.slice(25)),
    ]);
    for (const p of parts) expect(p.ok).toBe(true);
    // A slice that starts mid-chain is no finding of its own: the merge decides.
    expect(parts[2]!.issues).toEqual([]);
    const texts = await Promise.all(parts.map(serializeAuditReport));
    const expected = (sum(a) + sum(b) + 9_007_199_254_740_991n).toString();
    for (const order of permutations([0, 1, 2, 3])) {
      const merged = await mergeAuditReports(order.map((i) => texts[i]!), { keys });
      expect(merged.issues, `order ${order}`).toEqual([]);
      expect(merged.ok).toBe(true);
      expect(merged.spend.total).toBe(expected);
      expect(merged.spend.by_buyer).toEqual({ tok_a: sum(a).toString(), tok_b: sum(b).toString(), wallet: '9007199254740991' });
      expect(merged.chains.map((c) => [c.buyer, c.runs.length, c.runs[0]!.first.seq, c.runs[0]!.last.seq, c.runs[0]!.last.hash, c.receipts]).sort()).toEqual([
        ['tok_a', 1, 1, 30, hashReceipt(a[29]!), 30],
        ['tok_b', 1, 1, 10, hashReceipt(b[9]!), 10],
      ]);
      expect(merged.counts).toMatchObject({ receipts: 41, valid: 41, v1: 1, v3: 40 });
    }
  });

  it('a gap at a seam (a slice missing its first receipt, or the chain start)', async () => {
    const parts = await Promise.all([slice('p1', a.slice(0, 10)), slice('p2', a.slice(11, 20))]);
    const merged = await mergeAuditReports(parts, { keys });
    expect(findings(merged)).toEqual([['chain_gap', 'seq', 12]]);
    expect(merged.issues[0]).toMatchObject({ source: 'p2', line: 1, message: 'seq 11..11 missing before seq 12' });
    const noStart = await mergeAuditReports([await slice('p', a.slice(3, 9))], { keys });
    expect(findings(noStart)).toEqual([['chain_gap', 'seq', 4]]);
    expect((await mergeAuditReports([await slice('p', a.slice(3, 9))], { keys, partial: true })).ok).toBe(true);
  });

  it('a fork at a seam (the next slice does not link to the last receipt of the one before)', async () => {
    const relinked = signV3(k1, baseV3({ ...a[10]!, prev: 'f'.repeat(64) }));
    const parts = await Promise.all([slice('p1', a.slice(0, 10)), slice('p2', [relinked, ...a.slice(11, 15)])]);
    for (const order of [parts, [...parts].reverse()]) {
      const merged = await mergeAuditReports(order, { keys });
      // The seam (11 does not link to 10), and inside p2 (12 links to the original 11, found by the slice itself).
      expect(findings(merged).sort()).toEqual([['chain_fork', 'prev', 11], ['chain_fork', 'prev', 12]]);
    }
    // Two different receipts for one seq in two slices.
    const twin = signV3(k1, baseV3({ ...a[9]!, request_id: 'req_twin', amount: '1' }));
    const forked = await mergeAuditReports(await Promise.all([slice('p1', a.slice(0, 10)), slice('p2', [twin])]), { keys });
    expect(findings(forked)).toEqual([['chain_fork', 'seq', 10]]);
  });

  it('a duplicate at a seam (overlapping slices): found, and the overlap is said to be counted twice', async () => {
    const parts = await Promise.all([slice('p1', a.slice(0, 10)), slice('p2', a.slice(9, 20))]);
    const merged = await mergeAuditReports(parts, { keys });
    expect(findings(merged)).toEqual([['duplicate', 'seq', 10]]);
    expect(merged.issues[0]!.message).toMatch(/counted twice/);
    expect(merged.ok).toBe(false);
  });

  it('joins to the state of a previous run, and the merged report becomes the next state', async () => {
    const first = await auditStream(a.slice(0, 10), { keys });
    const state = await nextAuditState(first, { keys });
    const parts = await Promise.all([
      auditStream(a.slice(10, 20), { keys, slice: true, state }),
      auditStream(a.slice(20), { keys, slice: true, state }),
    ]);
    const merged = await mergeAuditReports(parts, { keys, state, head: signHead(logKey, a, 30, 'log/tok_a', '2026-11-26T00:00:00.000Z') });
    expect(merged.issues).toEqual([]);
    expect(merged.head).toMatchObject({ buyer: 'tok_a', verified: true, root_matches: true });
    const next = await nextAuditState(merged, { keys, previous: state });
    expect(next.chains[0]).toMatchObject({ tail: { seq: 30, hash: hashReceipt(a[29]!) }, receipts: 30, total: sum(a).toString() });
    // A slice that skipped the state's tail + 1.
    const late = await mergeAuditReports([await auditStream(a.slice(12, 20), { keys, slice: true, state })], { keys, state });
    expect(findings(late)).toEqual([['chain_gap', 'seq', 13]]);
  });

  it('slices with a state leave their receipts audited before to the merge, which links them to the tail', async () => {
    const state = await nextAuditState(await auditStream(a.slice(0, 20), { keys }), { keys });
    const sliced = (parts: unknown[][], s = state) => Promise.all(parts.map((p, i) => auditStream({ name: `day${i}`, lines: [p.map((r) => JSON.stringify(r)).join('\n')] }, { keys, slice: true, state: s })));
    // Day files again, one new: the old days alone do not reach the tail, together they do.
    const parts = await sliced([a.slice(0, 7), a.slice(7, 20), a.slice(20)]);
    for (const p of parts) expect(p.issues).toEqual([]);
    expect(parts[0]!.replayed).toEqual([{ buyer: 'tok_a', runs: [expect.objectContaining({ first: expect.objectContaining({ seq: 1 }), last: expect.objectContaining({ seq: 7 }), range: null })] }]);
    const merged = await mergeAuditReports(await Promise.all(parts.map(serializeAuditReport)), { keys, state });
    expect(merged.issues).toEqual([]);
    expect(merged.counts).toMatchObject({ replayed: 20, valid: 10 });
    // Seq 5 deleted from an old day, or the newest old ones: gaps no single slice could see.
    expect(findings(await mergeAuditReports(await sliced([[...a.slice(0, 4), ...a.slice(5, 7)], a.slice(7, 20)]), { keys, state }))).toEqual([['chain_gap', 'seq', 6]]);
    expect(findings(await mergeAuditReports(await sliced([a.slice(0, 7), a.slice(7, 18)]), { keys, state }))).toEqual([['chain_gap', 'seq', 18]]);
    // A part audited with another state (or none while the merge has one) is not merged quietly.
    const older = await nextAuditState(await auditStream(a.slice(0, 5), { keys }), { keys });
    const stale = await mergeAuditReports(await sliced([a.slice(20)], older), { keys, state });
    expect(findings(stale)).toContainEqual(['malformed', 'state', undefined]);
  });

  it('keeps the parts\u2019 findings with exact counts; refuses damaged, foreign or unknown parts', async () => {
    const bad = await auditStream([...a.slice(0, 3), '{', '{'], { keys, slice: true, maxIssues: 1 });
    const merged = await mergeAuditReports([bad, await slice('p2', a.slice(3, 6))], { keys });
    expect(merged.issues_by_reason).toEqual({ malformed: 2 });
    expect(merged.issues_omitted).toBe(1);
    const text = await serializeAuditReport(bad);
    expect(await parseAuditReport(text)).toEqual(bad);
    const refusal = (t: string, k = keys) => mergeAuditReports([t], { keys: k }).then(() => undefined, (e: unknown) => e as AuditReportError);
    expect(await refusal(text.replace('"receipts":5', '"receipts":4'))).toMatchObject({ name: 'AuditReportError', code: 'digest_mismatch', part: 0 });
    expect(await refusal(text.slice(0, 200))).toMatchObject({ code: 'malformed' });
    expect(await refusal(text.replace('"version":1', '"version":9'))).toMatchObject({ code: 'unsupported_version' });
    const otherKeys = KeySet.fromDocument(keyDocument([docKey(makeKey('k9'))]));
    expect(await refusal(text, otherKeys)).toMatchObject({ code: 'key_set_mismatch' });
  });
});
