import { sealDigest, keySetFingerprint } from './audit-seal.js';
import type { AuditResult, BuyerTotals } from './audit-types.js';
import { CompactRange, type CompactRangeJson } from './compact-range.js';
import type { LogHead } from './checkpoint.js';
import { AuditStateError } from './errors.js';
import type { KeySet } from './key-set.js';
import { resolveSha256 } from './sha256-sync.js';
import { decodeUtf8, parseStrictJson } from './strict-json.js';

export const AUDIT_STATE_FORMAT = 'proxygate-audit-state';
export const AUDIT_STATE_VERSION = 1;

/** What one chain's audits proved so far. */
export interface AuditStateChain {
  buyer: string;
  /** Where the audited chain starts: seq 1 unless the audits were partial. */
  first: { seq: number; prev: string };
  /** The last audited receipt: the next one must have seq = tail.seq + 1 and prev = tail.hash. */
  tail: { seq: number; hash: string };
  /** Compact range of the log leaves [first.seq - 1, tail.seq): a later log head's root is computed from it. */
  range: CompactRangeJson | null;
  receipts: number;
  /** Integer micro-USD as a string. */
  total: string;
  /** The last signed log head an audit accepted for this chain. */
  head?: LogHead;
}

/**
 * The state an incremental audit starts from (`--state FILE`). Versioned; sealed by a SHA-256
 * digest of its canonical content; bound to the key set the receipts were verified with.
 */
export interface AuditState {
  format: typeof AUDIT_STATE_FORMAT;
  version: typeof AUDIT_STATE_VERSION;
  key_set_sha256: string;
  /** Audits folded into this state. */
  audits: number;
  updated_at: string;
  chains: AuditStateChain[];
  /** v1/v2 receipts (no chain) per buyer wallet, cumulative. */
  legacy: BuyerTotals[];
  spend: { total: string; by_listing: Record<string, string>; by_buyer: Record<string, string> };
  sha256: string;
}

/**
 * The state after `report`: the previous state's chains continued by the report's runs. Only an
 * `ok`, non-slice report of an audit that started from `previous` (or from nothing) can be
 * folded in: anything else throws {@link AuditStateError} `not_continuable`.
 */
export async function nextAuditState(report: AuditResult, options: { keys: KeySet; previous?: AuditState | undefined; now?: Date }): Promise<AuditState> {
  const sha256 = await resolveSha256();
  const refuse = (message: string) => new AuditStateError('not_continuable', message);
  if (!report.ok) throw refuse('the audit found problems: a state is only written after a clean audit');
  if (report.slice) throw refuse('a slice report: merge the slices first (mergeAuditReports)');
  const keySet = keySetFingerprint(options.keys, sha256);
  if (report.key_set_sha256 !== keySet) throw refuse('the report was verified with another key set');
  const previous = options.previous;
  if ((previous?.sha256 ?? null) !== report.state_sha256) throw refuse('the report did not continue this state');

  const chains = new Map<string, AuditStateChain>();
  for (const c of previous?.chains ?? []) chains.set(c.buyer, structuredClone(c));
  for (const c of report.chains) {
    let entry = chains.get(c.buyer);
    for (const run of c.runs) {
      const range = run.range ? CompactRange.fromJSON(run.range) ?? null : null;
      if (!entry) {
        entry = { buyer: c.buyer, first: { seq: run.first.seq, prev: run.first.prev }, tail: { seq: run.last.seq, hash: run.last.hash }, range: range?.toJSON() ?? null, receipts: 0, total: '0' };
        chains.set(c.buyer, entry);
        continue;
      }
      if (run.first.seq !== entry.tail.seq + 1 || run.first.prev !== entry.tail.hash) {
        throw refuse(`chain ${c.buyer}: seq ${run.first.seq} does not continue the state's tail (seq ${entry.tail.seq})`);
      }
      const before = entry.range ? CompactRange.fromJSON(entry.range) : undefined;
      entry.range = before && range ? CompactRange.merge(before, range, sha256).toJSON() : null;
      entry.tail = { seq: run.last.seq, hash: run.last.hash };
    }
    if (!entry) continue;
    entry.receipts += c.receipts;
    entry.total = (BigInt(entry.total) + BigInt(c.total)).toString();
    const head = report.heads?.[c.buyer];
    if (head) entry.head = head;
  }
  for (const [buyer, head] of Object.entries(report.heads ?? {})) {
    const entry = chains.get(buyer);
    if (entry) entry.head = head;
  }

  const legacy = new Map<string, BuyerTotals>();
  for (const b of [...(previous?.legacy ?? []), ...report.legacy]) {
    const sum = legacy.get(b.buyer) ?? { buyer: b.buyer, receipts: 0, total: '0' };
    legacy.set(b.buyer, { buyer: b.buyer, receipts: sum.receipts + b.receipts, total: (BigInt(sum.total) + BigInt(b.total)).toString() });
  }
  const state: Omit<AuditState, 'sha256'> = {
    format: AUDIT_STATE_FORMAT,
    version: AUDIT_STATE_VERSION,
    key_set_sha256: keySet,
    audits: (previous?.audits ?? 0) + 1,
    updated_at: (options.now ?? new Date()).toISOString(),
    chains: [...chains.values()].sort((a, b) => (a.buyer < b.buyer ? -1 : a.buyer > b.buyer ? 1 : 0)),
    legacy: [...legacy.values()].sort((a, b) => (a.buyer < b.buyer ? -1 : a.buyer > b.buyer ? 1 : 0)),
    spend: {
      total: (BigInt(previous?.spend.total ?? '0') + BigInt(report.spend.total)).toString(),
      by_listing: addRecords(previous?.spend.by_listing, report.spend.by_listing),
      by_buyer: addRecords(previous?.spend.by_buyer, report.spend.by_buyer),
    },
  };
  return { ...state, sha256: sealDigest(state, sha256) };
}

/** Sums two records of integer strings key by key (own keys only, `__proto__` a plain key). */
export function addRecords(a: Record<string, string> | undefined, b: Record<string, string> | undefined): Record<string, string> {
  const sums = new Map<string, bigint>();
  for (const r of [a, b]) for (const [k, v] of Object.entries(r ?? {})) sums.set(k, (sums.get(k) ?? 0n) + BigInt(v));
  const out: Record<string, string> = {};
  for (const [k, v] of [...sums].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))) {
    Object.defineProperty(out, k, { value: v.toString(), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The state file's text: stable, pretty JSON ending in a newline. */
export function serializeAuditState(state: AuditState): string {
  return `${JSON.stringify(state, null, 2)}\n`;
}

const HEX64 = /^[0-9a-f]{64}$/;
const INT = /^(0|[1-9][0-9]*)$/;

/**
 * Reads a state file and checks it before anything is believed: format, version, every field's
 * type, the digest over its canonical content, and that it was made with `keys`. Throws
 * {@link AuditStateError} (`malformed`, `unsupported_version`, `digest_mismatch`, `key_set_mismatch`).
 */
export async function parseAuditState(input: string | Uint8Array, keys: KeySet): Promise<AuditState> {
  const sha256 = await resolveSha256();
  let value: unknown;
  try {
    value = parseStrictJson(typeof input === 'string' ? input : decodeUtf8(input));
  } catch (error) {
    throw new AuditStateError('malformed', `the audit state is not JSON (${(error as Error).message})`);
  }
  const bad = (field: string, what: string) => new AuditStateError('malformed', `audit state ${field}: ${what}`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('', 'must be an object');
  const s = value as Record<string, unknown>;
  if (s['format'] !== AUDIT_STATE_FORMAT) throw bad('format', `must be ${JSON.stringify(AUDIT_STATE_FORMAT)}`);
  if (s['version'] !== AUDIT_STATE_VERSION) {
    throw new AuditStateError('unsupported_version', `audit state version ${JSON.stringify(s['version'])} is not supported (this SDK reads ${AUDIT_STATE_VERSION})`);
  }
  if (typeof s['sha256'] !== 'string' || !HEX64.test(s['sha256'])) throw bad('sha256', 'must be 64 lower-case hex digits');
  if (sealDigest(s, sha256) !== s['sha256']) throw new AuditStateError('digest_mismatch', 'the audit state does not match its digest: it was damaged or edited');
  if (s['key_set_sha256'] !== keySetFingerprint(keys, sha256)) {
    throw new AuditStateError('key_set_mismatch', 'the audit state was made with another key set: audit from the start with this one (without the state)');
  }
  // The digest proves the file is as written; the shape check proves this SDK wrote it.
  checkShape(s, bad);
  return s as unknown as AuditState;
}

function checkShape(s: Record<string, unknown>, bad: (field: string, what: string) => AuditStateError): void {
  const int = (v: unknown, field: string, min = 0) => {
    if (!Number.isSafeInteger(v) || (v as number) < min) throw bad(field, `must be an integer >= ${min}`);
  };
  const money = (v: unknown, field: string) => {
    if (typeof v !== 'string' || !INT.test(v)) throw bad(field, 'must be an integer string');
  };
  const hex = (v: unknown, field: string) => {
    if (typeof v !== 'string' || !HEX64.test(v)) throw bad(field, 'must be 64 hex digits');
  };
  int(s['audits'], 'audits', 1);
  if (typeof s['updated_at'] !== 'string') throw bad('updated_at', 'must be a string');
  if (!Array.isArray(s['chains'])) throw bad('chains', 'must be an array');
  const buyers = new Set<string>();
  (s['chains'] as unknown[]).forEach((c, i) => {
    const at = `chains[${i}]`;
    if (typeof c !== 'object' || c === null) throw bad(at, 'must be an object');
    const chain = c as Record<string, unknown>;
    if (typeof chain['buyer'] !== 'string' || buyers.has(chain['buyer'])) throw bad(`${at}.buyer`, 'must be a string, once');
    buyers.add(chain['buyer']);
    const first = chain['first'] as Record<string, unknown> | undefined;
    const tail = chain['tail'] as Record<string, unknown> | undefined;
    if (!first || !tail) throw bad(at, 'needs first and tail');
    int(first['seq'], `${at}.first.seq`, 1);
    hex(first['prev'], `${at}.first.prev`);
    int(tail['seq'], `${at}.tail.seq`, first['seq'] as number);
    hex(tail['hash'], `${at}.tail.hash`);
    int(chain['receipts'], `${at}.receipts`);
    money(chain['total'], `${at}.total`);
    if (chain['range'] !== null) {
      const range = CompactRange.fromJSON(chain['range']);
      if (!range || range.begin !== (first['seq'] as number) - 1 || range.end !== tail['seq']) throw bad(`${at}.range`, 'is not the compact range of the chain');
    }
  });
  if (!Array.isArray(s['legacy'])) throw bad('legacy', 'must be an array');
  (s['legacy'] as unknown[]).forEach((b, i) => {
    const entry = b as Record<string, unknown> | null;
    if (typeof entry?.['buyer'] !== 'string') throw bad(`legacy[${i}].buyer`, 'must be a string');
    int(entry['receipts'], `legacy[${i}].receipts`);
    money(entry['total'], `legacy[${i}].total`);
  });
  const spend = s['spend'] as Record<string, unknown> | undefined;
  if (!spend) throw bad('spend', 'must be an object');
  money(spend['total'], 'spend.total');
  for (const key of ['by_listing', 'by_buyer']) {
    const record = spend[key];
    if (typeof record !== 'object' || record === null) throw bad(`spend.${key}`, 'must be an object');
    for (const [k, v] of Object.entries(record)) money(v, `spend.${key}.${k}`);
  }
}
