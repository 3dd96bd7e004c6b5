import { Findings, located } from './audit-findings.js';
import { keySetFingerprint, sealDigest } from './audit-seal.js';
import type { AuditState } from './audit-state.js';
import { addRecords } from './audit-state.js';
import {
  AUDIT_REPORT_FORMAT, AUDIT_REPORT_VERSION,
  type AuditCounts, type AuditResult, type BuyerTotals, type ChainReport, type ChainRun, type RunBound,
} from './audit-types.js';
import { resolveBackend, type BackendChoice } from './backends.js';
import { verifyCheckpoint, type LogHead } from './checkpoint.js';
import { CompactRange } from './compact-range.js';
import { toBase64 } from './encoding.js';
import { AuditReportError, type ReasonCode } from './errors.js';
import type { KeySet } from './key-set.js';
import { resolveSha256, type Sha256 } from './sha256-sync.js';
import { decodeUtf8, parseStrictJson } from './strict-json.js';

export interface MergeAuditOptions {
  /** The key set the parts must have been verified with (checked by fingerprint); also verifies `head`. */
  keys?: KeySet;
  /** The state the sharded audit continues: each chain's lowest run must join its tail. */
  state?: AuditState | undefined;
  /** The merged chains need not start at seq 1. */
  partial?: boolean;
  /** A signed log head whose tree size is where the head buyer's merged chain ends. */
  head?: LogHead | undefined;
  headBuyer?: string | undefined;
  backend?: BackendChoice;
  /** Findings listed (all are counted). Default 1000. */
  maxIssues?: number;
}

/** The text of a report file: JSON with a `sha256` digest over its canonical content. */
export async function serializeAuditReport(report: AuditResult): Promise<string> {
  const sha256 = await resolveSha256();
  const { sha256: _old, ...content } = report as AuditResult & { sha256?: string };
  return `${JSON.stringify({ ...content, sha256: sealDigest(content, sha256) })}\n`;
}

/**
 * Reads a report file written by {@link serializeAuditReport}: format, version and digest are
 * checked before anything is believed. Throws {@link AuditReportError}.
 */
export async function parseAuditReport(input: string | Uint8Array, part?: number): Promise<AuditResult> {
  const sha256 = await resolveSha256();
  let value: unknown;
  try {
    value = parseStrictJson(typeof input === 'string' ? input : decodeUtf8(input));
  } catch (error) {
    throw new AuditReportError('malformed', part, `${partName(part)} is not JSON (${(error as Error).message})`);
  }
  const r = value as Record<string, unknown> | null;
  if (typeof r !== 'object' || r === null || r['format'] !== AUDIT_REPORT_FORMAT) {
    throw new AuditReportError('malformed', part, `${partName(part)} is not an audit report (format ${JSON.stringify(AUDIT_REPORT_FORMAT)})`);
  }
  if (r['version'] !== AUDIT_REPORT_VERSION) throw new AuditReportError('unsupported_version', part, `${partName(part)}: report version ${JSON.stringify(r['version'])} is not supported`);
  if (typeof r['sha256'] !== 'string' || sealDigest(r, sha256) !== r['sha256']) {
    throw new AuditReportError('digest_mismatch', part, `${partName(part)} does not match its digest: it was damaged or edited`);
  }
  checkReportShape(r, part);
  const { sha256: _seal, ...report } = r;
  return report as unknown as AuditResult;
}

function partName(part: number | undefined): string {
  return part === undefined ? 'the report' : `part ${part + 1}`;
}

interface PartRun extends ChainRun {
  part: number;
}

/**
 * Combines partial reports (slices of one audit, in any order) into the final report: per chain,
 * the runs of every part must join (next seq, prev = hash of the receipt before) with no gap,
 * fork or overlap (a duplicate) at the seams; spend and counts are summed exactly. The parts'
 * own findings are kept. Throws {@link AuditReportError} for a part that cannot be read or was
 * verified with another key set.
 */
export async function mergeAuditReports(parts: readonly (AuditResult | string | Uint8Array)[], options: MergeAuditOptions = {}): Promise<AuditResult> {
  const sha256 = await resolveSha256();
  const reports = await Promise.all(parts.map((p, i) => (typeof p === 'string' || p instanceof Uint8Array ? parseAuditReport(p, i) : p)));
  const keySet = options.keys ? keySetFingerprint(options.keys, sha256) : reports[0]?.key_set_sha256;
  reports.forEach((r, i) => {
    if (r.key_set_sha256 !== keySet) throw new AuditReportError('key_set_mismatch', i, `${partName(i)} was verified with another key set`);
  });
  if (options.state && options.state.key_set_sha256 !== keySet) throw new AuditReportError('key_set_mismatch', undefined, 'the state was made with another key set');

  const findings = new Findings(options.maxIssues ?? 1000);
  const byReason: Partial<Record<ReasonCode, number>> = {};
  let omitted = 0;
  for (const r of reports) {
    for (const issue of r.issues) findings.add(issue);
    // Counted per reason already: the parts' exact counts replace the list's.
    for (const [reason, n] of Object.entries(r.issues_by_reason)) byReason[reason as ReasonCode] = (byReason[reason as ReasonCode] ?? 0) + (n ?? 0);
    omitted += r.issues_omitted;
  }
  const listed = { ...findings.byReason };
  const stateSha = options.state?.sha256 ?? null;
  reports.forEach((r, i) => {
    // A slice audited with another state re-linked its old receipts to the wrong tail.
    const made = r.state_sha256 ?? null;
    if (made !== null && made !== stateSha) {
      findings.add({ reason: 'malformed', field: 'state', message: `${partName(i)} was audited with ${stateSha === null ? 'an audit state, and the merge has none' : 'another audit state'}: audit every slice with the --state the merge is given` });
    }
  });

  const runsByBuyer = new Map<string, PartRun[]>();
  const sums = new Map<string, { receipts: number; total: bigint }>();
  reports.forEach((r, part) => {
    for (const c of r.chains) {
      const list = runsByBuyer.get(c.buyer) ?? [];
      for (const run of c.runs) list.push({ ...run, part });
      runsByBuyer.set(c.buyer, list);
      const s = sums.get(c.buyer) ?? { receipts: 0, total: 0n };
      s.receipts += c.receipts;
      s.total += BigInt(c.total);
      sums.set(c.buyer, s);
    }
  });
  const stateChains = new Map((options.state?.chains ?? []).map((c) => [c.buyer, c]));
  const replaysByBuyer = new Map<string, PartRun[]>();
  reports.forEach((r, part) => {
    for (const c of r.replayed ?? []) replaysByBuyer.set(c.buyer, [...(replaysByBuyer.get(c.buyer) ?? []), ...c.runs.map((run) => ({ ...run, part }))]);
  });
  for (const [buyer, runs] of replaysByBuyer) {
    const base = stateChains.get(buyer);
    if (base) joinReplays(buyer, runs, base, findings);
  }
  const chains: ChainReport[] = [];
  const merged = new Map<string, ChainRun[]>();
  for (const [buyer, runs] of runsByBuyer) {
    const joined = joinRuns(buyer, runs, reports, stateChains.get(buyer), options.partial ?? false, findings, sha256);
    merged.set(buyer, joined);
    const s = sums.get(buyer)!;
    chains.push({ buyer, runs: joined, receipts: s.receipts, total: s.total.toString() });
  }

  const counts: AuditCounts = { receipts: 0, valid: 0, invalid: 0, duplicates: 0, replayed: 0, v1: 0, v2: 0, v3: 0 };
  const legacy = new Map<string, BuyerTotals>();
  let total = 0n;
  let byListing: Record<string, string> = {};
  let byBuyer: Record<string, string> = {};
  for (const r of reports) {
    for (const key of Object.keys(counts) as (keyof AuditCounts)[]) counts[key] += r.counts[key];
    for (const b of r.legacy) {
      const s = legacy.get(b.buyer) ?? { buyer: b.buyer, receipts: 0, total: '0' };
      legacy.set(b.buyer, { buyer: b.buyer, receipts: s.receipts + b.receipts, total: (BigInt(s.total) + BigInt(b.total)).toString() });
    }
    total += BigInt(r.spend.total);
    byListing = addRecords(byListing, r.spend.by_listing);
    byBuyer = addRecords(byBuyer, r.spend.by_buyer);
  }

  const report: AuditResult = {
    format: AUDIT_REPORT_FORMAT,
    version: AUDIT_REPORT_VERSION,
    ok: false,
    partial: options.partial ?? false,
    slice: false,
    key_set_sha256: keySet ?? '',
    state_sha256: options.state?.sha256 ?? null,
    sources: reports.flatMap((r) => r.sources),
    counts,
    issues_by_reason: {},
    issues: [],
    issues_omitted: 0,
    chains,
    legacy: [...legacy.values()],
    spend: { total: total.toString(), by_listing: byListing, by_buyer: byBuyer },
    merged_from: reports.length,
  };
  if (options.head) await mergeHead(report, merged, stateChains, options, findings, sha256);
  // Exact counts: the parts' (their lists may be capped) plus what the merge found.
  for (const [reason, n] of Object.entries(findings.byReason)) {
    const added = (n ?? 0) - (listed[reason as ReasonCode] ?? 0);
    byReason[reason as ReasonCode] = (byReason[reason as ReasonCode] ?? 0) + added;
  }
  report.issues = findings.list;
  report.issues_by_reason = byReason;
  report.issues_omitted = omitted + findings.omitted;
  report.ok = Object.values(byReason).every((n) => !n) && reports.every((r) => r.ok);
  return report;
}

/** Sorts one chain's runs from every part and checks each seam; returns the joined runs. */
function joinRuns(
  buyer: string, runs: PartRun[], reports: AuditResult[], base: AuditState['chains'][number] | undefined,
  partial: boolean, findings: Findings, sha256: Sha256,
): ChainRun[] {
  runs.sort((a, b) => a.first.seq - b.first.seq || a.last.seq - b.last.seq || a.part - b.part);
  const out: (ChainRun & { part: number })[] = [];
  const finding = (reason: ReasonCode, field: string, at: RunBound, message: string) =>
    findings.add(located({ reason, field, message, buyer, seq: at.seq, request_id: at.request_id }, at));
  const first = runs[0];
  if (first) {
    if (base) {
      if (first.first.seq > base.tail.seq + 1) finding('chain_gap', 'seq', first.first, `seq ${base.tail.seq + 1}..${first.first.seq - 1} missing before seq ${first.first.seq}`);
      else if (first.first.seq === base.tail.seq + 1 && first.first.prev !== base.tail.hash) finding('chain_fork', 'prev', first.first, `prev does not hash the receipt with seq ${base.tail.seq} (the state's tail)`);
      else if (first.first.seq <= base.tail.seq) {
        // A slice audited without the state cannot tell its old receipts from new ones.
        const hint = (reports[first.part]!.state_sha256 ?? null) === null ? ': audit the slices with --state too, so receipts audited before are re-linked to it' : '';
        finding(first.first.seq === base.tail.seq && first.first.hash === base.tail.hash ? 'duplicate' : 'chain_fork', 'seq', first.first, `seq ${first.first.seq} was audited before (the state ends at seq ${base.tail.seq})${hint}`);
      }
    } else if (!partial && !first.anchor && reports[first.part]!.slice) {
      // A part that was not a slice judged its own start.
      finding('chain_gap', 'seq', first.first, `seq 1..${first.first.seq - 1} missing before seq ${first.first.seq}`);
    }
  }
  for (const run of runs) {
    const prev = out[out.length - 1];
    if (!prev) { out.push({ ...run }); continue; }
    const samePart = prev.part === run.part;
    if (run.first.seq > prev.last.seq + 1) {
      // Within one non-slice part the gap was that part's finding already.
      if (!samePart || reports[run.part]!.slice) finding('chain_gap', 'seq', run.first, `seq ${prev.last.seq + 1}..${run.first.seq - 1} missing before seq ${run.first.seq}`);
      out.push({ ...run });
      continue;
    }
    if (run.first.seq === prev.last.seq + 1) {
      if (run.first.prev !== prev.last.hash) finding('chain_fork', 'prev', run.first, `prev does not hash the receipt with seq ${prev.last.seq} (${where(prev.last)})`);
      const range = prev.range && run.range ? mergeRanges(prev.range, run.range, sha256) : null;
      out[out.length - 1] = { ...prev, last: run.last, range, part: run.part };
      continue;
    }
    const differs = overlapDiffers(prev, run);
    const to = Math.min(prev.last.seq, run.last.seq);
    finding(differs ? 'chain_fork' : 'duplicate', 'seq', run.first,
      differs
        ? `seq ${run.first.seq} is held by two different receipts (${where(run.first)} and the part ending at ${where(prev.last)})`
        : `seq ${run.first.seq}..${to} appear in two parts (${where(run.first)} overlaps ${where(prev.last)}): counted twice`);
    if (run.last.seq > prev.last.seq) out[out.length - 1] = { ...prev, last: run.last, range: null };
  }
  return out.map(({ part: _part, ...run }) => run);
}

/** Overlap: two parts hold the same seqs. Their bounds tell a copy from a fork where they meet. */
function overlapDiffers(prev: ChainRun, run: ChainRun): boolean {
  const known = [[prev.first, run.first], [prev.last, run.first], [prev.last, run.last], [prev.first, run.last]]
    .filter(([x, y]) => x!.seq === y!.seq);
  return known.some(([x, y]) => x!.hash !== y!.hash) || (run.first.seq === prev.first.seq + 1 && run.first.prev !== prev.first.hash);
}

/**
 * The slices' receipts audited before (at or below the state's tail), as `receipts audit --state`
 * judges them unsharded: joined across parts, they must run without a gap or fork up to the tail.
 * Each slice checked already that the receipt at the tail's seq is the one the state ends on.
 */
function joinReplays(buyer: string, runs: PartRun[], base: AuditState['chains'][number], findings: Findings): void {
  runs.sort((a, b) => a.first.seq - b.first.seq || a.last.seq - b.last.seq || a.part - b.part);
  const finding = (reason: ReasonCode, field: string, at: RunBound, message: string) =>
    findings.add(located({ reason, field, message, buyer, seq: at.seq, request_id: at.request_id }, at));
  let prev: ChainRun | undefined;
  for (const run of runs) {
    if (!prev) prev = run;
    else if (run.first.seq > prev.last.seq + 1) {
      finding('chain_gap', 'seq', run.first, `seq ${prev.last.seq + 1}..${run.first.seq - 1} missing before seq ${run.first.seq} (audited before, missing now)`);
      prev = run;
    } else if (run.first.seq === prev.last.seq + 1) {
      if (run.first.prev !== prev.last.hash) finding('chain_fork', 'prev', run.first, `prev does not hash the receipt with seq ${prev.last.seq} (audited before: altered since?)`);
      prev = { ...prev, last: run.last };
    } else {
      const differs = overlapDiffers(prev, run);
      finding(differs ? 'chain_fork' : 'duplicate', 'seq', run.first, differs
        ? `seq ${run.first.seq} is held by two different receipts among those audited before (${where(run.first)} and the part ending at ${where(prev.last)})`
        : `seq ${run.first.seq}..${Math.min(prev.last.seq, run.last.seq)} appear in two parts (${where(run.first)} overlaps ${where(prev.last)})`);
      if (run.last.seq > prev.last.seq) prev = { ...prev, last: run.last };
    }
  }
  if (prev && prev.last.seq < base.tail.seq) {
    finding('chain_gap', 'seq', prev.last, `seq ${prev.last.seq + 1}..${base.tail.seq} were audited before and are missing from the parts (deleted since?)`);
  }
}

function mergeRanges(a: ChainRun['range'], b: ChainRun['range'], sha256: Sha256): ChainRun['range'] {
  const left = a && CompactRange.fromJSON(a);
  const right = b && CompactRange.fromJSON(b);
  return left && right && left.end === right.begin ? CompactRange.merge(left, right, sha256).toJSON() : null;
}

function where(at: { source?: string; line?: number; index?: number }): string {
  if (at.source !== undefined) return at.line !== undefined ? `${at.source}:${at.line}` : at.source;
  return at.index !== undefined ? `#${at.index + 1}` : 'another part';
}

async function mergeHead(
  report: AuditResult, merged: Map<string, ChainRun[]>, stateChains: Map<string, AuditState['chains'][number]>,
  options: MergeAuditOptions, findings: Findings, sha256: Sha256,
): Promise<void> {
  const head = options.head!;
  const out = { verified: false, tree_size: head.tree_size, root_matches: false } as NonNullable<AuditResult['head']>;
  report.head = out;
  if (options.keys) {
    const signed = await verifyCheckpoint(head, options.keys, await resolveBackend(options.backend), 'head');
    if (!signed.ok) findings.add({ reason: signed.reason, field: signed.field, message: signed.message });
    out.verified = signed.ok;
  } else {
    findings.add({ reason: 'unknown_key', field: 'head', message: 'a head needs the key set to be verified' });
  }
  const buyer = options.headBuyer ?? (merged.size === 1 ? [...merged.keys()][0] : undefined);
  if (buyer === undefined) {
    findings.add({ reason: 'malformed', field: 'headBuyer', message: 'receipts of several buyers: say which chain the head covers (headBuyer)' });
    return;
  }
  out.buyer = buyer;
  const base = stateChains.get(buyer);
  let acc: CompactRange | null | undefined = base ? (base.range ? CompactRange.fromJSON(base.range) : null) : CompactRange.empty(0);
  for (const run of merged.get(buyer) ?? []) {
    if (!acc || acc.end === head.tree_size) break;
    const range = run.range ? CompactRange.fromJSON(run.range) : undefined;
    acc = range && range.begin === acc.end ? CompactRange.merge(acc, range, sha256) : null;
  }
  if (!acc || acc.begin !== 0 || acc.end < head.tree_size) {
    findings.add({ reason: 'chain_gap', field: 'head.tree_size', buyer, message: `the log holds ${head.tree_size} receipts; the merged chain does not hold them in sequence from seq 1` });
    return;
  }
  if (acc.end !== head.tree_size) {
    findings.add({ reason: 'malformed', field: 'head.tree_size', buyer, message: `the merged chain runs past the head (seq ${acc.end} > ${head.tree_size}): check this head in the slice that holds seq ${head.tree_size}` });
    return;
  }
  out.root_matches = toBase64(acc.root(sha256)) === head.root_hash;
  if (!out.root_matches) findings.add({ reason: 'chain_fork', field: 'head.root_hash', buyer, message: 'the receipts do not hash to the signed log root' });
  else if (out.verified) report.heads = { [buyer]: head };
}

function checkReportShape(r: Record<string, unknown>, part: number | undefined): void {
  const bad = (what: string) => new AuditReportError('malformed', part, `${partName(part)}: ${what}`);
  for (const key of ['chains', 'legacy', 'issues', 'sources']) if (!Array.isArray(r[key])) throw bad(`${key} must be an array`);
  for (const key of ['counts', 'spend', 'issues_by_reason']) if (typeof r[key] !== 'object' || r[key] === null) throw bad(`${key} must be an object`);
  if (typeof r['key_set_sha256'] !== 'string' || typeof r['ok'] !== 'boolean' || typeof r['slice'] !== 'boolean') throw bad('missing key_set_sha256, ok or slice');
  const int = /^(0|[1-9][0-9]*)$/;
  const checkRuns = (runs: Record<string, Record<string, unknown>>[]) => {
    for (const run of runs) {
      for (const end of ['first', 'last']) {
        const b = run?.[end];
        if (!b || !Number.isSafeInteger(b['seq']) || typeof b['hash'] !== 'string' || typeof b['prev'] !== 'string') throw bad(`a run's ${end} needs seq, prev and hash`);
      }
    }
  };
  for (const c of r['chains'] as Record<string, unknown>[]) {
    if (typeof c?.['buyer'] !== 'string' || !Array.isArray(c['runs']) || typeof c['total'] !== 'string' || !int.test(c['total'])) throw bad('a chain needs buyer, runs and an integer total');
    checkRuns(c['runs'] as Record<string, Record<string, unknown>>[]);
  }
  if (r['state_sha256'] != null && typeof r['state_sha256'] !== 'string') throw bad('state_sha256 must be a string or null');
  if (r['replayed'] !== undefined) {
    if (!Array.isArray(r['replayed'])) throw bad('replayed must be an array');
    for (const c of r['replayed'] as Record<string, unknown>[]) {
      if (typeof c?.['buyer'] !== 'string' || !Array.isArray(c['runs'])) throw bad('a replayed chain needs buyer and runs');
      checkRuns(c['runs'] as Record<string, Record<string, unknown>>[]);
    }
  }
  const spend = r['spend'] as Record<string, unknown>;
  if (typeof spend['total'] !== 'string' || !int.test(spend['total'])) throw bad('spend.total must be an integer string');
}
