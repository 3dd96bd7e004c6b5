import { concatBytes } from '../internal/bytes.js';
import { resolveBackend } from './backends.js';
import { decodeUtf8 } from './strict-json.js';
import type { Verdict } from './types.js';
import { fail, isVerdict, parseToVerdict, verifyParsed, type VerifyOptions } from './verify.js';

export interface VerifyStreamOptions extends Omit<VerifyOptions, 'content'> {
  /** Receipts verified ahead of the one being yielded (async backends, worker pools). Default 64. */
  concurrency?: number;
  /** Longest accepted line in bytes (longer lines yield `malformed`). Default 1 MiB. */
  maxLineBytes?: number;
}

type Chunk = string | Uint8Array;

const NEWLINE = 0x0a;

/**
 * Splits a stream of chunks into JSON Lines without holding more than one partial line. Bytes
 * are split before decoding so a multi-byte character may straddle chunks. Blank lines are
 * skipped; `\r\n` endings are accepted. A line over `maxLineBytes` is reported as `null`.
 */
export async function* jsonLines(source: AsyncIterable<Chunk> | Iterable<Chunk>, maxLineBytes = 1 << 20): AsyncGenerator<Uint8Array | null> {
  const encoder = new TextEncoder();
  let parts: Uint8Array[] = [];
  let partBytes = 0;
  let overflow = false;
  const finish = (tail: Uint8Array): Uint8Array | null | undefined => {
    const total = partBytes + tail.length;
    let line: Uint8Array;
    if (overflow || total > maxLineBytes) line = new Uint8Array(0);
    else if (parts.length === 0) line = tail;
    else {
      line = new Uint8Array(total);
      let o = 0;
      for (const p of parts) { line.set(p, o); o += p.length; }
      line.set(tail, o);
    }
    const tooLong = overflow || total > maxLineBytes;
    parts = [];
    partBytes = 0;
    overflow = false;
    if (tooLong) return null;
    let end = line.length;
    if (end > 0 && line[end - 1] === 0x0d) end--;
    let blank = true;
    for (let i = 0; i < end; i++) {
      const c = line[i];
      if (c !== 0x20 && c !== 0x09) { blank = false; break; }
    }
    return blank ? undefined : line.subarray(0, end);
  };
  // A string chunk may end between the two halves of a surrogate pair: hold the high half back.
  let pendingHigh = '';
  for await (const chunk of source as AsyncIterable<Chunk>) {
    let bytes: Uint8Array;
    if (typeof chunk === 'string') {
      let text = pendingHigh + chunk;
      pendingHigh = '';
      const lastUnit = text.charCodeAt(text.length - 1);
      if (lastUnit >= 0xd800 && lastUnit <= 0xdbff) {
        pendingHigh = text.slice(-1);
        text = text.slice(0, -1);
      }
      bytes = encoder.encode(text);
    } else if (pendingHigh) {
      // Bytes after a held half: the half stays unpaired (encoded as U+FFFD, then malformed).
      const held = encoder.encode(pendingHigh);
      bytes = concatBytes([held, chunk], held.length + chunk.length);
      pendingHigh = '';
    } else {
      bytes = chunk;
    }
    let start = 0;
    for (;;) {
      const nl = bytes.indexOf(NEWLINE, start);
      if (nl < 0) break;
      const line = finish(bytes.subarray(start, nl));
      if (line !== undefined) yield line;
      start = nl + 1;
    }
    if (start < bytes.length) {
      const rest = bytes.subarray(start);
      if (overflow || partBytes + rest.length > maxLineBytes) {
        overflow = true; // keep counting nothing: memory stays flat on a runaway line
        parts = [];
      } else {
        // Copy: the caller may reuse its chunk buffer.
        parts.push(rest.slice());
        partBytes += rest.length;
      }
    }
  }
  const last = finish(pendingHigh ? encoder.encode(pendingHigh) : new Uint8Array(0));
  if (last !== undefined) yield last;
}

/**
 * Verifies a JSON Lines stream of receipts (chunks of text or bytes, split anywhere) and yields
 * one verdict per non-blank line, in input order, with memory bounded by `concurrency`.
 */
export async function* verifyStream(
  source: AsyncIterable<Chunk> | Iterable<Chunk>,
  options: VerifyStreamOptions,
): AsyncGenerator<Verdict> {
  const backend = await resolveBackend(options.backend);
  const window = Math.max(1, options.concurrency ?? 64);
  const queue: (Verdict | Promise<Verdict>)[] = [];
  for await (const line of jsonLines(source, options.maxLineBytes)) {
    let verdict: Verdict | Promise<Verdict>;
    if (line === null) verdict = fail('malformed', 'line is longer than maxLineBytes');
    else {
      let parsed;
      try {
        parsed = parseToVerdict(decodeUtf8(line));
      } catch {
        parsed = fail('malformed', 'not valid UTF-8');
      }
      if (isVerdict(parsed)) verdict = parsed;
      else {
        verdict = verifyParsed(parsed, options.keys, backend);
        // Waiting in the queue is not "unhandled": the error reaches the caller when its turn comes.
        verdict.catch(() => undefined);
      }
    }
    queue.push(verdict);
    if (queue.length >= window) yield await queue.shift()!;
  }
  while (queue.length) yield await queue.shift()!;
}
