import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeySet, auditReceipts, auditReportToJson, merkleRoot } from '../../src/receipts/index.js';
import { baseV3, chain, docKey, hashReceipt, keyDocument, makeKey, referenceRoot, signHead, signV1, signV3 } from './signer.js';

const k1 = makeKey('k1');
const logKey = makeKey('log');
const platform = makeKey('platform');
const keys = KeySet.fromDocument(keyDocument([docKey(k1), docKey(logKey)], { platform }));
const reasons = (r: { issues: { reason: string }[] }) => r.issues.map((i) => i.reason);

describe('merkleRoot (RFC 9162)', () => {
  it('matches the recursive definition for every size up to 33', async () => {
    for (let n = 0; n <= 33; n++) {
      const inputs = Array.from({ length: n }, (_, i) => Buffer.from(`leaf ${i}`));
      const leaves = inputs.map((d) => new Uint8Array(createHash('sha256').update(Buffer.concat([Buffer.from([0]), d])).digest()));
      expect(Buffer.from(await merkleRoot(leaves)).toString('hex'), `n=${n}`).toBe(referenceRoot(inputs).toString('hex'));
    }
  });
});

describe('auditReceipts', () => {
  const a = chain(k1, 6, 'tok_a');
  const b = chain(k1, 3, 'tok_b');

  it('passes a complete set and sums spend as bigint per listing and buyer', async () => {
    const report = await auditReceipts([...b, ...a].reverse(), { keys });
    expect(report.issues).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.chains).toEqual(expect.arrayContaining([
      { buyer: 'tok_a', count: 6, firstSeq: 1, lastSeq: 6, headHash: hashReceipt(a[5]!) },
      { buyer: 'tok_b', count: 3, firstSeq: 1, lastSeq: 3, headHash: hashReceipt(b[2]!) },
    ]));
    const sum = (rs: { amount: string }[]) => rs.reduce((s, r) => s + BigInt(r.amount), 0n);
    expect(report.spend.total).toBe(sum(a) + sum(b));
    expect(report.spend.byBuyer).toEqual({ tok_a: sum(a), tok_b: sum(b) });
    expect(report.spend.byListing['lst_weather']).toBe(sum([...a, ...b].filter((r) => r.listing_id === 'lst_weather')));
  });

  it('sums amounts beyond 2^53 exactly', async () => {
    const big = '9007199254740993000';
    const r1 = signV3(k1, baseV3({ amount: big, buyer: 'tok_big' }));
    const r2 = signV3(k1, baseV3({ amount: big, buyer: 'tok_big', seq: 2, prev: hashReceipt(r1), request_id: 'req_2' }));
    const report = await auditReceipts([r1, r2], { keys });
    expect(report.spend.total).toBe(18014398509481986000n);
    const json = JSON.parse(JSON.stringify(auditReportToJson(report)));
    expect(json.spend).toEqual({ total: '18014398509481986000', byListing: { lst_weather: '18014398509481986000' }, byBuyer: { tok_big: '18014398509481986000' } });
  });

  it('chain_gap for a missing receipt in the middle or at the start', async () => {
    const report = await auditReceipts([a[0]!, a[1]!, a[3]!, a[4]!, a[5]!], { keys });
    expect(report.issues).toMatchObject([{ reason: 'chain_gap', buyer: 'tok_a', seq: 4, field: 'seq' }]);
    expect(reasons(await auditReceipts(a.slice(2), { keys }))).toEqual(['chain_gap']);
    expect(reasons(await auditReceipts(a.slice(2), { keys, partial: true }))).toEqual([]);
  });

  it('chain_fork for two receipts with one seq, or a prev that does not match', async () => {
    const twin = signV3(k1, baseV3({ buyer: 'tok_a', seq: 3, prev: hashReceipt(a[1]!), request_id: 'req_twin' }));
    expect(await auditReceipts([...a, twin], { keys })).toMatchObject({ ok: false, issues: [{ reason: 'chain_fork', seq: 3, field: 'seq' }] });
    const relinked = signV3(k1, baseV3({ ...a[3]!, prev: 'f'.repeat(64) }));
    const report = await auditReceipts([a[0]!, a[1]!, a[2]!, relinked, a[4]!, a[5]!], { keys });
    // The bad link, and the next receipt that links to the original seq 4.
    expect(report.issues.map((i) => [i.reason, i.seq, i.field])).toEqual([['chain_fork', 4, 'prev'], ['chain_fork', 5, 'prev']]);
  });

  it('duplicate for the same request_id or signature', async () => {
    const report = await auditReceipts([...a, a[2]!], { keys });
    expect(report.issues).toMatchObject([{ reason: 'duplicate', index: 6, request_id: a[2]!.request_id }]);
    expect(report.spend.byBuyer['tok_a']).toBe(a.reduce((s, r) => s + BigInt(r.amount), 0n));
  });

  it('reports invalid receipts with their verdict reasons and skips them in sums', async () => {
    const report = await auditReceipts([a[0]!, { ...a[1]!, amount: '1' }, '{'], { keys });
    expect(reasons(report)).toEqual(['bad_signature', 'malformed']);
    expect(report.verdicts.map((v) => v.reason)).toEqual(['valid', 'bad_signature', 'malformed']);
    expect(report.spend.total).toBe(BigInt(a[0]!.amount));
  });

  it('includes v1 receipts in the total', async () => {
    const v1 = signV1(platform, { request_id: 'req_v1', buyer: 'pg', seller: 's', amount: 700, timestamp: '2026-11-25T12:00:00Z' });
    const report = await auditReceipts([v1], { keys });
    expect(report.ok).toBe(true);
    expect(report.spend.total).toBe(700n);
  });

  it('reconciles with /v1/usage: missing receipts, amount mismatches, refunds', async () => {
    const usage = [
      ...a.slice(0, 5).map((r) => ({ request_id: r.request_id, cost_micro_cents: Number(r.amount) })),
      { request_id: 'req_unreceipted', cost_micro_cents: 10 },
    ];
    usage[1] = { ...usage[1]!, cost_micro_cents: 1 };
    const blocked = signV3(k1, baseV3({ buyer: 'tok_z', amount: '0', request_id: 'req_blocked' }));
    usage.push({ request_id: 'req_blocked', cost_micro_cents: 1200, refunded: true } as (typeof usage)[number]);
    const report = await auditReceipts([...a, blocked], { keys, usage });
    expect(report.usage).toEqual({
      matched: 5, missingReceipts: ['req_unreceipted'], amountMismatches: [a[1]!.request_id], receiptsWithoutUsage: [a[5]!.request_id],
    });
    expect(reasons(report).sort()).toEqual(['chain_gap', 'content_mismatch']);
  });
});

describe('auditReceipts with the signed log head', () => {
  const a = chain(k1, 9, 'tok_a');

  it('verifies the checkpoint and the Merkle root over the chain', async () => {
    const report = await auditReceipts(a, { keys, head: signHead(logKey, a) });
    expect(report.head).toEqual({ verified: true, treeSize: 9, rootMatches: true });
    expect(report.ok).toBe(true);
  });

  it('chain_gap when receipts were cut from the end (the chain alone cannot see it)', async () => {
    const report = await auditReceipts(a.slice(0, 7), { keys, head: signHead(logKey, a) });
    expect(report.issues).toMatchObject([{ reason: 'chain_gap', field: 'head.tree_size' }]);
  });

  it('chain_fork when the receipts do not hash to the signed root', async () => {
    const other = chain(k1, 9, 'tok_a', 100);
    const report = await auditReceipts(a, { keys, head: signHead(logKey, other) });
    expect(report.head?.rootMatches).toBe(false);
    expect(reasons(report)).toEqual(['chain_fork']);
  });

  it('bad_signature or unknown_key for a forged checkpoint', async () => {
    const head = signHead(logKey, a);
    const forged = { ...head, checkpoint: head.checkpoint.replace(/ (\S+)\n$/, (_m, b64: string) => ` ${Buffer.from(Buffer.from(b64, 'base64').map((x, i) => (i === 10 ? x ^ 1 : x))).toString('base64')}\n`) };
    expect(reasons(await auditReceipts(a, { keys, head: forged }))).toEqual(['bad_signature']);
    const stranger = signHead(makeKey('log'), a);
    expect(reasons(await auditReceipts(a, { keys, head: stranger }))).toEqual(['unknown_key']);
    const lying = { ...head, tree_size: 8 };
    expect(reasons(await auditReceipts(a, { keys, head: lying }))[0]).toBe('malformed');
  });

  it('a previous head must be a prefix: tree_size grows and the old root is recomputed', async () => {
    const head = signHead(logKey, a);
    const ok = await auditReceipts(a, { keys, head, previousHead: signHead(logKey, a, 5) });
    expect(ok.head?.extendsPrevious).toBe(true);
    expect(ok.ok).toBe(true);
    const rewritten = chain(k1, 9, 'tok_a', 50);
    const forked = await auditReceipts(a, { keys, head, previousHead: signHead(logKey, rewritten, 5) });
    expect(forked.head?.extendsPrevious).toBe(false);
    expect(forked.issues).toMatchObject([{ reason: 'chain_fork', field: 'previousHead.root_hash' }]);
    const shrunk = await auditReceipts(a.slice(0, 5), { keys, head: signHead(logKey, a, 5), previousHead: head });
    expect(shrunk.issues).toMatchObject([{ reason: 'chain_fork', field: 'head.tree_size' }]);
  });
});
