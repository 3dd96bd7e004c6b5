import { Auditor, type AuditItem } from './auditor.js';
import type { AuditState } from './audit-state.js';
import type { AuditLocation, AuditResult } from './audit-types.js';
import { Findings } from './audit-findings.js';
import { resolveBackend, type BackendChoice } from './backends.js';
import { V3_SIGNING_PREFIX, v3SignedText } from './canonical.js';
import type { LogHead } from './checkpoint.js';
import { utf8Bytes } from './encoding.js';
import type { KeySet } from './key-set.js';
import { resolveSha256, resolveSha256Hex, type Sha256, type Sha256Hex } from './sha256-sync.js';
import { LineSplitter, type Chunk } from './stream.js';
import { decodeUtf8 } from './strict-json.js';
import type { Receipt, ReceiptV3, Verdict } from './types.js';
import { unwrapTrailLine } from './trail-line.js';
import { UsageReconciler, type UsageExport, type UsageRow } from './usage-reconcile.js';
import { downgradeVerdict, fail, isVerdict, parseToVerdict, verifyParsed, type ReceiptInput } from './verify.js';

/**
 * One input of an audit: JSON Lines (chunks of bytes or text, split anywhere), or receipts one
 * by one (texts, bytes or objects; `items` when the caller knows each one's line). A line (or
 * text) of the receipt trail (`{"proxygate_receipt":1,"receipt":"...",...}`, the kept log of
 * paid calls) is read as the receipt it holds.
 */
export type AuditSource =
  | { name: string; lines: AsyncIterable<Chunk> | Iterable<Chunk> }
  | { name: string; receipts: AsyncIterable<ReceiptInput> | Iterable<ReceiptInput> }
  | { name: string; items: AsyncIterable<{ input: ReceiptInput; line?: number }> | Iterable<{ input: ReceiptInput; line?: number }> };

export interface AuditProgress {
  /** Receipts read so far (all sources). */
  receipts: number;
  /** JSON Lines bytes read so far. */
  bytes: number;
  elapsedMs: number;
  /** Receipts per second since the start. */
  rate: number;
  /** When `totalBytes` was given: the estimated time left, from the byte rate. */
  etaMs?: number;
  source: string;
}

export interface AuditStreamOptions {
  keys: KeySet;
  /** Ed25519 backend (a worker pool's `backend` to verify on every core). Default `auto`. */
  backend?: BackendChoice;
  /** Receipts verified ahead of the one audited. Default 64 (the pool's `audit` picks its own). */
  concurrency?: number;
  /** Longest JSON Lines line in bytes (longer ones are `malformed`). Default 1 MiB. */
  maxLineBytes?: number;
  /** Chains need not start at seq 1 (a month of receipts); gaps inside them are still findings. */
  partial?: boolean;
  /**
   * Every v1/v2 receipt is a `downgrade` finding, not verified (they bind neither the request nor
   * the response): for keys of a gateway that signs v3 receipts. `because` ends the finding's
   * message (see `downgradeVerdict`). Decided on the receipt the audit parses, not a second read.
   */
  requireV3?: { because: string } | undefined;
  /**
   * One slice of a sharded audit: gaps and chain starts are left to `mergeAuditReports`, which
   * sees every slice's runs. Implies `partial`.
   */
  slice?: boolean;
  /** The state a previous audit left (`parseAuditState`): chains continue from its tails. */
  state?: AuditState | undefined;
  /** The log's signed head for one buyer's chain: proves nothing was cut from the end. */
  head?: LogHead | undefined;
  /** Buyer the head covers; needed when receipts of several buyers are audited. */
  headBuyer?: string | undefined;
  /** The head a previous audit accepted (default: the one in `state`): the new one must extend it. */
  previousHead?: LogHead | undefined;
  /** `/v1/usage` rows (ours with `request_id`, or the public gateway's without) to reconcile with. */
  usage?: UsageExport | Iterable<UsageRow> | AsyncIterable<UsageRow> | undefined;
  /** Receipts remembered to tell a repeat (duplicate) from a fork. Default 16384. */
  window?: number;
  /** Runs kept per chain before the lowest gaps are reported for good. Default 1024. */
  maxRuns?: number;
  /** Findings listed in the report (all are counted per reason). Default 1000. */
  maxIssues?: number;
  /** Called at most every `progressIntervalMs` (default 1000) while receipts are read. */
  onProgress?: (progress: AuditProgress) => void;
  progressIntervalMs?: number;
  /** Bytes of all JSON Lines sources together (file sizes), for the ETA. */
  totalBytes?: number;
  /** Clock for progress (tests). */
  now?: () => number;
}

type Input = AuditSource | readonly AuditSource[] | Iterable<ReceiptInput> | AsyncIterable<ReceiptInput>;

function isSource(value: unknown): value is AuditSource {
  return typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'string'
    && ('lines' in value || 'receipts' in value || 'items' in value);
}

function sourcesOf(input: Input): AuditSource[] {
  if (isSource(input)) return [input];
  if (Array.isArray(input) && input.length > 0 && input.every(isSource)) return [...input];
  return [{ name: 'input', receipts: input as Iterable<ReceiptInput> }];
}

/**
 * Audits receipts as they stream by, from one source or many (in order): verifies each (in
 * this thread, or through a worker pool's backend), checks every buyer chain (gaps, forks,
 * duplicates, in any arrival order), sums spend as bigint, reconciles usage, checks the log head,
 * and continues from a saved state. Memory is bounded by the number of chains, the repeat window
 * and the capped findings, whatever the number of receipts. Never throws for bad receipts.
 */
export async function auditStream(input: Input, options: AuditStreamOptions): Promise<AuditResult> {
  const [backend, sha256, sha256Hex] = await Promise.all([resolveBackend(options.backend), resolveSha256(), resolveSha256Hex()]);
  const hashes = (r: ReceiptV3, signed: Uint8Array) => receiptHashes(r, signed, sha256, sha256Hex);
  const findings = new Findings(options.maxIssues ?? 1000);
  const usage = options.usage === undefined ? undefined : await UsageReconciler.from(options.usage, findings);
  const auditor = new Auditor({
    keys: options.keys, sha256, backend, findings, usage,
    partial: options.partial, slice: options.slice, state: options.state,
    head: options.head, headBuyer: options.headBuyer, previousHead: options.previousHead,
    window: options.window, maxRuns: options.maxRuns, maxIssues: options.maxIssues,
  });
  const window = Math.max(1, options.concurrency ?? 64);
  const maxLineBytes = options.maxLineBytes ?? 1 << 20;
  const queue: (AuditItem | Promise<AuditItem>)[] = [];
  const progress = progressMeter(options);
  let index = 0;

  const start = (value: ReceiptInput | null, at: AuditLocation): AuditItem | Promise<AuditItem> => {
    if (value === null) return { verdict: fail('malformed', `line is longer than ${maxLineBytes} bytes`), at };
    let parsed: Receipt | Verdict;
    try {
      const inner = typeof value === 'string' || value instanceof Uint8Array ? unwrapTrailLine(value) : undefined;
      if (inner !== undefined && !(typeof inner === 'string' || inner instanceof Uint8Array)) return { verdict: fail('malformed', inner.problem), at };
      const input = inner ?? value;
      parsed = parseToVerdict(input instanceof Uint8Array ? decodeUtf8(input) : input);
    } catch {
      parsed = fail('malformed', 'not valid UTF-8');
    }
    if (isVerdict(parsed)) return { verdict: parsed, at };
    if (options.requireV3 && parsed.receipt_version !== 3) return { verdict: downgradeVerdict(parsed, options.requireV3.because), at };
    if (auditor.isReplay(parsed)) {
      const r = parsed as ReceiptV3;
      return { verdict: { valid: true, reason: 'valid', message: 'audited before', receipt: r }, at, replay: true, ...hashes(r, utf8Bytes(v3SignedText(r))) };
    }
    if (parsed.receipt_version !== 3) {
      const legacy = verifyParsed(parsed, options.keys, backend).then((verdict): AuditItem => ({ verdict, at }));
      legacy.catch(() => undefined);
      return legacy;
    }
    // The signed text is built once: verified, then (with the signature) hashed for the chain.
    const receipt = parsed;
    const signed = utf8Bytes(v3SignedText(receipt));
    const item = verifyParsed(receipt, options.keys, backend, signed).then((verdict): AuditItem =>
      verdict.valid ? { verdict, at, ...hashes(receipt, signed) } : { verdict, at });
    // Waiting in the queue is not "unhandled": the error reaches the caller when its turn comes.
    item.catch(() => undefined);
    return item;
  };
  /** Starts one receipt; true when the queue is full (the caller then audits the oldest). */
  const enqueue = (value: ReceiptInput | null, source: string, line: number | undefined): boolean => {
    const at: AuditLocation = { source, index: index++ };
    if (line !== undefined) at.line = line;
    queue.push(start(value, at));
    return queue.length >= window;
  };

  for (const source of sourcesOf(input)) {
    if ('lines' in source) {
      const splitter = new LineSplitter(maxLineBytes);
      for await (const chunk of source.lines as AsyncIterable<Chunk>) {
        // Lines are split synchronously within a chunk: an await only when the queue is full.
        for (const line of splitter.push(chunk)) if (enqueue(line, source.name, splitter.line)) auditor.add(await queue.shift()!);
        progress.tick(index, typeof chunk === 'string' ? chunk.length : chunk.byteLength, source.name);
      }
      const last = splitter.end();
      if (last !== undefined && enqueue(last, source.name, splitter.line)) auditor.add(await queue.shift()!);
    } else if ('items' in source) {
      for await (const item of source.items as AsyncIterable<{ input: ReceiptInput; line?: number }>) {
        if (enqueue(item.input, source.name, item.line)) auditor.add(await queue.shift()!);
        progress.tick(index, 0, source.name);
      }
    } else {
      for await (const receipt of source.receipts as AsyncIterable<ReceiptInput>) {
        if (enqueue(receipt, source.name, undefined)) auditor.add(await queue.shift()!);
        progress.tick(index, 0, source.name);
      }
    }
  }
  while (queue.length) auditor.add(await queue.shift()!);
  progress.done(index);
  return auditor.finish();
}

const PREFIX_BYTES = V3_SIGNING_PREFIX.length;
// `,"timestamp":"YYYY-MM-DDTHH:MM:SS.mmmZ"}`: the signed text's last field, ASCII, fixed length.
const TIMESTAMP_TAIL = ',"timestamp":"2026-01-01T00:00:00.000Z"}'.length;

/**
 * The chain link hash (`receiptHash`, hex) and the RFC 9162 leaf hash of a v3 receipt, from its
 * signed bytes: the JCS text with the signature is those bytes without the prefix and with
 * `,"signature":"..."` before the timestamp (checked against the generic JCS in the tests). One
 * buffer holds 0x00 and the JCS bytes, so the leaf hash needs no copy.
 */
function receiptHashes(r: ReceiptV3, signed: Uint8Array, sha256: Sha256, sha256Hex: Sha256Hex): { hash: string; leaf: Uint8Array } {
  const sig = utf8Bytes(',"signature":"' + r.signature + '"');
  const head = signed.length - TIMESTAMP_TAIL - PREFIX_BYTES;
  const buf = new Uint8Array(1 + signed.length - PREFIX_BYTES + sig.length);
  buf.set(signed.subarray(PREFIX_BYTES, signed.length - TIMESTAMP_TAIL), 1);
  buf.set(sig, 1 + head);
  buf.set(signed.subarray(signed.length - TIMESTAMP_TAIL), 1 + head + sig.length);
  return { hash: sha256Hex(buf.subarray(1)), leaf: sha256(buf) };
}

function progressMeter(options: AuditStreamOptions) {
  const report = options.onProgress;
  const now = options.now ?? Date.now;
  const every = options.progressIntervalMs ?? 1000;
  const started = now();
  let last = started;
  let bytes = 0;
  let lastSource = '';
  const emit = (receipts: number, at: number) => {
    const elapsedMs = Math.max(1, at - started);
    const p: AuditProgress = { receipts, bytes, elapsedMs, rate: (receipts * 1000) / elapsedMs, source: lastSource };
    if (options.totalBytes && bytes > 0) p.etaMs = Math.max(0, ((options.totalBytes - bytes) * elapsedMs) / bytes);
    report!(p);
  };
  return {
    tick(receipts: number, chunkBytes: number, source: string) {
      bytes += chunkBytes;
      lastSource = source;
      if (!report) return;
      const at = now();
      if (at - last < every) return;
      last = at;
      emit(receipts, at);
    },
    done(receipts: number) {
      if (report && receipts > 0) emit(receipts, now());
    },
  };
}
