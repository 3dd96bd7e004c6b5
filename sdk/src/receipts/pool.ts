import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { Ed25519Backend } from './backends.js';
import { KeySet, type KeySetDocument } from './key-set.js';
import { verifyStream, type VerifyStreamOptions } from './stream.js';
import { auditStream, type AuditSource, type AuditStreamOptions } from './audit-stream.js';
import type { AuditResult } from './audit-types.js';
import type { Verdict } from './types.js';
import { isVerdict, parseToVerdict, verifyParsed, type ReceiptInput } from './verify.js';

// The worker only runs Ed25519 (the costly part); parsing and key rules stay on the caller's
// thread, so there is one implementation of them. Inline source: it needs no build step or path.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
// One KeyObject per key (building one per call halves throughput); bounded, as v2 receipts may
// each bring their own ephemeral key.
const keys = new Map();
const keyObject = (x) => {
  let key = keys.get(x);
  if (!key) {
    if (keys.size >= 4096) keys.clear();
    key = crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
    keys.set(x, key);
  }
  return key;
};
parentPort.on('message', (batch) => {
  const { n, xs, offsets, data } = batch;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const msgStart = offsets[2 * i], sigStart = offsets[2 * i + 1], end = offsets[2 * i + 2];
    try {
      out[i] = crypto.verify(null, data.subarray(msgStart, sigStart), keyObject(xs[i]), data.subarray(sigStart, end)) ? 1 : 0;
    } catch { out[i] = 0; }
  }
  parentPort.postMessage({ id: batch.id, out }, [out.buffer]);
});
`;

interface Job { x: string; message: Uint8Array; signature: Uint8Array; resolve: (ok: boolean) => void; reject: (error: Error) => void }

export interface VerifierPoolOptions {
  /** Worker threads; default: available cores. */
  size?: number;
  /** Signatures per message to a worker; default 64. */
  batchSize?: number;
}

/** A pool of worker threads that verifies receipts on every core; results keep input order. */
export interface VerifierPool {
  /** The pool as an Ed25519 backend, for `verifyReceipt` / `verifyStream` / `auditReceipts`. */
  readonly backend: Ed25519Backend;
  readonly size: number;
  verify(input: ReceiptInput): Promise<Verdict>;
  /** Like `verifyStream`, with enough receipts in flight to keep every worker busy. */
  verifyStream(source: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>, options?: Pick<VerifyStreamOptions, 'maxLineBytes' | 'concurrency'>): AsyncGenerator<Verdict>;
  /**
   * `auditStream` with this pool's key set and backend, with enough receipts in flight to keep
   * every worker busy (parsing, chains and hashes stay on the caller's thread).
   */
  audit(sources: Parameters<typeof auditStream>[0] | AuditSource, options?: Omit<AuditStreamOptions, 'keys' | 'backend'>): Promise<AuditResult>;
  /** Stops the workers; verifications still pending reject (they are not verdicts). */
  close(): Promise<void>;
}

/**
 * Starts a worker-thread verifier pool bound to one key set. Node only
 * (`@proxygate-kit/sdk/receipts/node`). Call `close()` when done.
 */
export function createVerifierPool(keys: KeySet | KeySetDocument | string, options: VerifierPoolOptions = {}): VerifierPool {
  const keySet = keys instanceof KeySet ? keys : KeySet.fromDocument(keys);
  const size = Math.max(1, options.size ?? availableParallelism());
  const batchSize = Math.max(1, options.batchSize ?? 64);
  const workers = Array.from({ length: size }, () => {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    return { worker, inFlight: 0, alive: true };
  });
  const pending = new Map<number, Job[]>();
  let nextBatchId = 0;
  let closed = false;
  // base64url per key object; a WeakMap, so per-receipt v2 keys are collected with their receipts.
  const keyTexts = new WeakMap<Uint8Array, string>();
  let batch: Job[] = [];
  let flushScheduled = false;

  for (const w of workers) {
    w.worker.on('message', ({ id, out }: { id: number; out: Uint8Array }) => {
      const jobs = pending.get(id);
      pending.delete(id);
      w.inFlight--;
      jobs?.forEach((job, i) => job.resolve(out[i] === 1));
    });
    w.worker.on('error', (error) => {
      // A crashed worker is not a verdict on any receipt: its callers get the error.
      w.alive = false;
      failAll(new Error(`receipt verifier worker failed: ${error.message}`));
    });
    w.worker.on('exit', () => {
      // A dead worker drops its messages silently: batches sent to it would never settle.
      if (w.alive && !closed) failAll(new Error('receipt verifier worker exited'));
      w.alive = false;
    });
  }

  const failAll = (error: Error) => {
    for (const [id, jobs] of pending) { pending.delete(id); jobs.forEach((j) => j.reject(error)); }
  };

  const flush = () => {
    flushScheduled = false;
    if (batch.length === 0) return;
    const jobs = batch;
    batch = [];
    if (closed) { jobs.forEach((j) => j.reject(new Error('verifier pool is closed'))); return; }
    const live = workers.filter((w) => w.alive);
    if (live.length === 0) { jobs.forEach((j) => j.reject(new Error('every receipt verifier worker has died'))); return; }
    const target = live.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
    const xs = jobs.map((job) => job.x);
    const offsets = new Uint32Array(jobs.length * 2 + 1);
    let total = 0;
    for (const job of jobs) total += job.message.length + job.signature.length;
    const data = new Uint8Array(total);
    let o = 0;
    jobs.forEach((job, i) => {
      offsets[2 * i] = o;
      data.set(job.message, o); o += job.message.length;
      offsets[2 * i + 1] = o;
      data.set(job.signature, o); o += job.signature.length;
    });
    offsets[2 * jobs.length] = o;
    const id = nextBatchId++;
    pending.set(id, jobs);
    target.inFlight++;
    target.worker.postMessage({ id, n: jobs.length, xs, offsets, data }, [data.buffer, offsets.buffer]);
  };

  const backend: Ed25519Backend = {
    name: 'node-pool',
    verify(publicKey, message, signature) {
      if (closed) return Promise.reject(new Error('verifier pool is closed'));
      if (publicKey.length !== 32 || signature.length !== 64) return false;
      let x = keyTexts.get(publicKey);
      if (x === undefined) {
        x = Buffer.from(publicKey).toString('base64url');
        keyTexts.set(publicKey, x);
      }
      const keyText = x;
      return new Promise<boolean>((resolve, reject) => {
        batch.push({ x: keyText, message, signature, resolve, reject });
        if (batch.length >= batchSize) flush();
        else if (!flushScheduled) { flushScheduled = true; setImmediate(flush); }
      });
    },
  };

  return {
    backend,
    size,
    async verify(input) {
      const parsed = parseToVerdict(input);
      return isVerdict(parsed) ? parsed : verifyParsed(parsed, keySet, backend);
    },
    verifyStream(source, streamOptions = {}) {
      return verifyStream(source, { keys: keySet, backend, concurrency: streamOptions.concurrency ?? size * batchSize * 2, ...(streamOptions.maxLineBytes === undefined ? {} : { maxLineBytes: streamOptions.maxLineBytes }) });
    },
    audit(sources, auditOptions = {}) {
      return auditStream(sources, { concurrency: size * batchSize * 2, ...auditOptions, keys: keySet, backend });
    },
    async close() {
      closed = true;
      flush();
      failAll(new Error('verifier pool is closed'));
      await Promise.all(workers.map((w) => w.worker.terminate()));
    },
  };
}
