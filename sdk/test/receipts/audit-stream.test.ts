import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeySet, auditReceipts, auditStream, canonicalize, merkleRoot, CompactRange, type AuditResult, type AuditReport } from '../../src/receipts/index.js';
import { v3ReceiptJcs } from '../../src/receipts/canonical.js';
import { leafHash } from '../../src/receipts/compact-range.js';
import { sha256Js } from '../../src/receipts/sha256-sync.js';
import type { ReceiptV1, ReceiptV3 } from '../../src/receipts/types.js';
import { baseV3, chain, docKey, keyDocument, makeKey, signHead, signV1, signV3 } from './signer.js';

const k1 = makeKey('k1');
const logKey = makeKey('log');
const platform = makeKey('platform');
const keys = KeySet.fromDocument(keyDocument([docKey(k1), docKey(logKey)], { platform }));
const nodeSha = (d: Uint8Array) => new Uint8Array(createHash('sha256').update(d).digest());

describe('building blocks', () => {
  it('the pure-JS SHA-256 equals node:crypto for lengths around every block boundary', () => {
    for (let n = 0; n < 200; n++) {
      const data = new Uint8Array(n).map((_, i) => (i * 31 + n) & 0xff);
      expect(Buffer.from(sha256Js(data)).toString('hex'), `n=${n}`).toBe(Buffer.from(nodeSha(data)).toString('hex'));
    }
  });

  it('v3ReceiptJcs equals the generic JCS of the whole receipt', () => {
    const r = signV3(k1, baseV3({ shield: { mode: 'strict', score_bp: 9, flags: ['a"b', 'é'], action: 'blocked' }, path: '/x\\y' }));
    expect(v3ReceiptJcs(r)).toBe(canonicalize(r));
  });

  it('compact ranges merged from any split give the RFC 9162 root', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 70 }), fc.array(fc.nat(), { maxLength: 6 }), async (n, cuts) => {
      const leaves = Array.from({ length: n }, (_, i) => leafHash(new TextEncoder().encode(`leaf ${i}`), nodeSha));
      const points = [...new Set(cuts.map((c) => c % n))].filter((c) => c > 0).sort((a, b) => a - b);
      const bounds = [0, ...points, n];
      const pieces = bounds.slice(0, -1).map((begin, i) => {
        let r = CompactRange.empty(begin);
        for (let j = begin; j < bounds[i + 1]!; j++) r = r.append(leaves[j]!, nodeSha);
        return r;
      });
      // Merge in a random-ish order: right to left, as a slice merge may.
      let acc = pieces[pieces.length - 1]!;
      for (let i = pieces.length - 2; i >= 0; i--) acc = CompactRange.merge(pieces[i]!, acc, nodeSha);
      const root = acc.root(nodeSha);
      expect(Buffer.from(root)).toEqual(Buffer.from(await merkleRoot(leaves)));
      expect(CompactRange.fromJSON(JSON.parse(JSON.stringify(acc)))?.root(nodeSha)).toEqual(root);
    }), { numRuns: 200 });
  });
});

/** What both audits must agree on, order aside. */
function comparableOld(report: AuditReport) {
  return {
    ok: report.ok,
    issues: report.issues.map((i) => `${i.reason}|${i.field ?? ''}|${i.index ?? ''}|${i.seq ?? ''}`).sort(),
    spend: { total: report.spend.total.toString(), byBuyer: strings(report.spend.byBuyer), byListing: strings(report.spend.byListing) },
    chains: report.chains.map((c) => `${c.buyer}|${c.count}|${c.firstSeq}|${c.lastSeq}|${c.headHash}`).sort(),
    invalid: report.verdicts.filter((v) => !v.valid).length,
    usage: report.usage && { matched: report.usage.matched, missing: report.usage.missingReceipts.length, mismatches: report.usage.amountMismatches.length, without: report.usage.receiptsWithoutUsage.length },
  };
}

function comparableNew(report: AuditResult) {
  return {
    ok: report.ok,
    // The old audit locates no usage finding; the streaming one names the receipt.
    issues: report.issues.map((i) => `${i.reason}|${i.field ?? ''}|${i.field === 'amount' ? '' : i.index ?? ''}|${i.seq ?? ''}`).sort(),
    spend: { total: report.spend.total, byBuyer: report.spend.by_buyer, byListing: report.spend.by_listing },
    chains: report.chains.filter((c) => c.runs.length).map((c) => {
      const count = c.runs.reduce((n, r) => n + r.last.seq - r.first.seq + 1, 0);
      return `${c.buyer}|${count}|${c.runs[0]!.first.seq}|${c.runs[c.runs.length - 1]!.last.seq}|${c.runs[c.runs.length - 1]!.last.hash}`;
    }).sort(),
    invalid: report.counts.invalid,
    usage: report.usage && { matched: report.usage.joined.matched, missing: report.usage.joined.missing_receipts, mismatches: report.usage.joined.amount_mismatches, without: report.usage.joined.receipts_without_usage },
  };
}

function strings(r: Record<string, bigint>): Record<string, string> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.toString()]));
}

// Signed once, reused by every generated case (signing is the slow part).
const BUYERS = ['tok_a', 'tok_b', 'tok_c'];
const CHAINS = Object.fromEntries(BUYERS.map((b) => [b, chain(k1, 12, b)]));
const TWINS = Object.fromEntries(BUYERS.map((b) => [b, CHAINS[b]!.map((r, i) => signV3(k1, baseV3({ ...r, request_id: `twin_${b}_${i}`, amount: String(7 + i) })))]));
const V1S = Array.from({ length: 4 }, (_, i) => signV1(platform, { request_id: `v1_${i}`, buyer: 'wallet_w', seller: 's', amount: 100 + i, timestamp: 1_700_000_000 + i }));

type Op = { kind: 'drop' | 'twin' | 'dup' | 'tamper' | 'swap'; buyer: number; at: number; to: number };

function scenario(ops: Op[], seed: number): (ReceiptV3 | ReceiptV1 | string)[] {
  const perBuyer = BUYERS.map((b) => [...CHAINS[b]!] as (ReceiptV3 | string)[]);
  for (const op of ops) {
    const list = perBuyer[op.buyer % BUYERS.length]!;
    const i = op.at % list.length;
    const item = list[i];
    if (item === undefined) continue;
    if (op.kind === 'drop') list.splice(i, 1);
    else if (op.kind === 'twin' && typeof item !== 'string') list.splice(Math.min(list.length, i + 1 + (op.to % 3)), 0, TWINS[item.buyer]![item.seq - 1]!);
    else if (op.kind === 'dup') list.splice(Math.min(list.length, i + 1 + (op.to % 5)), 0, item);
    else if (op.kind === 'tamper' && typeof item !== 'string') list[i] = JSON.stringify({ ...item, amount: '1' });
    else if (op.kind === 'swap') {
      const j = Math.min(list.length - 1, i + 1 + (op.to % 4));
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
  }
  // Interleave the buyers (and the v1 receipts) deterministically from the seed.
  const out: (ReceiptV3 | ReceiptV1 | string)[] = [];
  const queues: (ReceiptV3 | ReceiptV1 | string)[][] = [...perBuyer, [...V1S, V1S[seed % V1S.length]!]];
  let x = seed;
  while (queues.some((q) => q.length)) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const q = queues.filter((q) => q.length)[x % queues.filter((q) => q.length).length]!;
    out.push(q.shift()!);
  }
  return out;
}

const op = fc.record({ kind: fc.constantFrom('drop', 'twin', 'dup', 'tamper', 'swap'), buyer: fc.nat(), at: fc.nat(), to: fc.nat() }) as fc.Arbitrary<Op>;

describe('auditStream agrees with auditReceipts', () => {
  it('on random chains with gaps, forks, duplicates, tampering and reorders (complete and partial)', async () => {
    await fc.assert(fc.asyncProperty(fc.array(op, { maxLength: 8 }), fc.nat(), fc.boolean(), fc.boolean(), async (ops, seed, partial, withUsage) => {
      const input = scenario(ops, seed);
      const usage = withUsage
        ? [...CHAINS['tok_a']!.slice(0, 8).map((r, i) => ({ request_id: r.request_id, cost_micro_cents: i === 3 ? 1 : Number(r.amount) })), { request_id: 'nowhere', cost_micro_cents: 5 }]
        : undefined;
      const old = await auditReceipts(input, { keys, partial, ...(usage ? { usage } : {}) });
      const streamed = await auditStream(input, { keys, partial, ...(usage ? { usage } : {}), concurrency: 1 + (seed % 7) });
      expect(comparableNew(streamed)).toEqual(comparableOld(old));
    }), { numRuns: 150 });
  });

  it('on JSON Lines split into arbitrary chunks, with line numbers', async () => {
    const input = scenario([{ kind: 'drop', buyer: 0, at: 4, to: 0 }, { kind: 'dup', buyer: 1, at: 2, to: 1 }], 7);
    const text = input.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n\n') + '\n';
    const bytes = new TextEncoder().encode(text);
    const chunks = [bytes.subarray(0, 100), bytes.subarray(100, 2001), bytes.subarray(2001)];
    const streamed = await auditStream({ name: 'day.jsonl', lines: chunks }, { keys });
    const old = await auditReceipts(input, { keys });
    expect(comparableNew(streamed)).toEqual(comparableOld(old));
    // Blank lines between receipts: receipt i sits on line 2i + 1.
    expect(streamed.issues.length).toBeGreaterThan(0);
    for (const issue of streamed.issues) expect(issue.line).toBe(2 * issue.index! + 1);
    expect(streamed.issues.map((i) => i.source)).toEqual(streamed.issues.map(() => 'day.jsonl'));
  });
});

describe('auditStream', () => {
  const a = chain(k1, 9, 'tok_a');

  it('checks a log head over receipts in any order (compact ranges split at the tree size)', async () => {
    const head = signHead(logKey, a, 6);
    const shuffled = [a[8]!, a[2]!, a[0]!, a[5]!, a[1]!, a[7]!, a[3]!, a[4]!, a[6]!];
    const report = await auditStream(shuffled, { keys, head });
    expect(report.head).toEqual({ buyer: 'tok_a', verified: true, tree_size: 6, root_matches: true });
    // Receipts 7..9 were issued (12:00:07..09) before the head was signed (13:00) yet are not in it.
    expect(report.issues.map((i) => [i.reason, i.field, i.seq]).sort()).toEqual([7, 8, 9].map((seq) => ['chain_gap', 'head.tree_size', seq]));
    const late = signHead(logKey, a, 6, undefined, '2026-11-25T12:00:05.000Z');
    const fine = await auditStream(shuffled, { keys, head: late });
    expect(fine.ok).toBe(true);
    expect(fine.heads?.['tok_a']).toEqual(late);
  });

  it('caps the listed findings and counts every one', async () => {
    const bad = Array.from({ length: 50 }, () => '{"not":"a receipt"}');
    const report = await auditStream(bad, { keys, maxIssues: 5 });
    expect(report.issues).toHaveLength(5);
    expect(report.issues_omitted).toBe(45);
    expect(report.issues_by_reason).toEqual({ malformed: 50 });
    expect(report.counts).toMatchObject({ receipts: 50, invalid: 50, valid: 0 });
  });

  it('beyond the window a repeated seq is a finding, never silently accepted', async () => {
    const input = [...a, a[1]!];
    const report = await auditStream(input, { keys, window: 2 });
    expect(report.issues).toMatchObject([{ reason: 'chain_fork', field: 'seq', seq: 2, index: 9 }]);
    const boundary = await auditStream([...a, a[8]!], { keys, window: 1 });
    // The run's last receipt is always known: a repeat of it is told apart exactly.
    expect(boundary.issues).toMatchObject([{ reason: 'duplicate', seq: 9 }]);
  });

  it('reports progress with a rate and an ETA', async () => {
    let t = 0;
    const seen: { receipts: number; rate: number; etaMs?: number }[] = [];
    const text = a.map((r) => JSON.stringify(r) + '\n').join('');
    const bytes = new TextEncoder().encode(text);
    const chunks = Array.from({ length: 9 }, (_, i) => bytes.subarray(Math.floor((i * bytes.length) / 9), Math.floor(((i + 1) * bytes.length) / 9)));
    await auditStream({ name: 'f', lines: chunks }, {
      keys, concurrency: 1, totalBytes: bytes.length, progressIntervalMs: 10,
      now: () => (t += 10), onProgress: (p) => seen.push(p),
    });
    expect(seen.length).toBeGreaterThan(3);
    const last = seen[seen.length - 1]!;
    expect(last.receipts).toBe(9);
    expect(last.etaMs).toBe(0);
    expect(seen[1]!.etaMs).toBeGreaterThan(0);
    expect(last.rate).toBeGreaterThan(0);
  });

  it('reads the receipt inside a receipt-trail line (the kept log), as JSON text or base64', async () => {
    const { receiptTrailLine } = await import('../../src/resources/calls/index.js');
    const call = { gateway: 'g', listingId: 'l', service: 's', method: 'GET', path: '/p', requestId: 'r', idempotencyKey: null, status: 200, cost: 1n };
    const verdict = { valid: true, reason: 'valid' as const, message: 'ok' };
    const lines = a.slice(0, 3).map((r, i) => {
      const text = JSON.stringify(r);
      return receiptTrailLine({ rawReceipt: i === 1 ? Buffer.from(text).toString('base64') : text, receiptText: i === 1 ? null : text, verdict, call } as never);
    });
    lines.push('{"proxygate_receipt":1,"receipt":null}');
    const report = await auditStream({ name: 'trail.jsonl', lines: [lines.join('\n')] }, { keys });
    expect(report.counts).toMatchObject({ receipts: 4, valid: 3, invalid: 1 });
    expect(report.issues).toMatchObject([{ reason: 'malformed', line: 4, message: 'receipt trail line holds no receipt' }]);
    expect(report.chains[0]!.runs).toMatchObject([{ first: { seq: 1 }, last: { seq: 3 } }]);
  });

  it('totals v1/v2 receipts per buyer wallet (micro-USD)', async () => {
    const report = await auditStream(V1S, { keys });
    expect(report.legacy).toEqual([{ buyer: 'wallet_w', receipts: 4, total: String(100 + 101 + 102 + 103) }]);
    expect(report.counts).toMatchObject({ v1: 4, v3: 0 });
    expect(report.chains).toEqual([]);
  });
});
