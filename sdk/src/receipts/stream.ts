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

export type Chunk = string | Uint8Array;

const NEWLINE = 0x0a;

/** Counters a `LineSplitter` adds to (tests of a reader that must read each byte once). */
export interface LineStats {
  /** Bytes searched for line ends. */
  scanned: number;
  /** Most bytes of one unfinished line held at once. */
  maxHeld: number;
}

export interface LineSplitterOptions {
  /** Number of the first line (default 1), for a reader that takes over part-way into a source. */
  firstLine?: number;
  /**
   * Every line exactly as read: blank ones too, a `\r` before the line feed kept (a reader that
   * may join lines back into one document). Default false.
   */
  raw?: boolean;
  stats?: LineStats;
}

/**
 * Splits chunks into JSON Lines without holding more than one partial line. Bytes are split
 * before decoding so a multi-byte character may straddle chunks. Blank lines are skipped; `\r\n`
 * endings are accepted (see `raw` to keep both). A line over `maxLineBytes` is reported as `null`,
 * and never held whole. Synchronous per chunk, so a consumer pays one await per chunk, not per
 * line. Public for readers that wrap JSON Lines in more forms (the CLI's receipt input).
 */
export class LineSplitter {
  /** Physical line number (1-based, blank lines counted) of the line last yielded. */
  line = 0;
  private lines: number;
  private readonly raw: boolean;
  private readonly stats: LineStats | undefined;
  private readonly encoder = new TextEncoder();
  private parts: Uint8Array[] = [];
  private partBytes = 0;
  private overflow = false;
  // A string chunk may end between the two halves of a surrogate pair: the high half waits.
  private pendingHigh = '';

  constructor(private maxLineBytes: number, options: LineSplitterOptions = {}) {
    this.lines = (options.firstLine ?? 1) - 1;
    this.raw = options.raw ?? false;
    this.stats = options.stats;
  }

  /** Bytes of the unfinished line held so far. */
  get holding(): number {
    return this.partBytes;
  }

  /** A new limit for lines not yet finished; the one being read is dropped if it is already over. */
  limit(maxLineBytes: number): void {
    this.maxLineBytes = maxLineBytes;
    if (this.partBytes > maxLineBytes) {
      this.overflow = true;
      this.parts = [];
      this.partBytes = 0;
    }
  }

  *push(chunk: Chunk): Generator<Uint8Array | null> {
    let bytes: Uint8Array;
    if (typeof chunk === 'string') {
      let text = this.pendingHigh + chunk;
      this.pendingHigh = '';
      const lastUnit = text.charCodeAt(text.length - 1);
      if (lastUnit >= 0xd800 && lastUnit <= 0xdbff) {
        this.pendingHigh = text.slice(-1);
        text = text.slice(0, -1);
      }
      bytes = this.encoder.encode(text);
    } else if (this.pendingHigh) {
      // Bytes after a held half: the half stays unpaired (encoded as U+FFFD, then malformed).
      const held = this.encoder.encode(this.pendingHigh);
      bytes = concatBytes([held, chunk], held.length + chunk.length);
      this.pendingHigh = '';
    } else {
      bytes = chunk;
    }
    const stats = this.stats;
    let start = 0;
    for (;;) {
      const nl = bytes.indexOf(NEWLINE, start);
      if (stats) stats.scanned += (nl < 0 ? bytes.length : nl + 1) - start;
      if (nl < 0) break;
      const line = this.finish(bytes.subarray(start, nl));
      this.lines++;
      if (line !== undefined) {
        this.line = this.lines;
        yield line;
      }
      start = nl + 1;
    }
    if (start < bytes.length) {
      const rest = bytes.subarray(start);
      if (this.overflow || this.partBytes + rest.length > this.maxLineBytes) {
        this.overflow = true; // keep counting nothing: memory stays flat on a runaway line
        this.parts = [];
        this.partBytes = 0;
      } else {
        // Copy: the caller may reuse its chunk buffer.
        this.parts.push(rest.slice());
        this.partBytes += rest.length;
        if (stats && this.partBytes > stats.maxHeld) stats.maxHeld = this.partBytes;
      }
    }
  }

  /** The last line, when the input does not end with a newline. */
  end(): Uint8Array | null | undefined {
    this.line = this.lines + 1;
    if (this.partBytes === 0 && !this.overflow && !this.pendingHigh) return undefined;
    return this.finish(this.pendingHigh ? this.encoder.encode(this.pendingHigh) : new Uint8Array(0));
  }

  private finish(tail: Uint8Array): Uint8Array | null | undefined {
    const total = this.partBytes + tail.length;
    const tooLong = this.overflow || total > this.maxLineBytes;
    let line = tail;
    if (!tooLong && this.parts.length > 0) {
      line = new Uint8Array(total);
      let o = 0;
      for (const p of this.parts) { line.set(p, o); o += p.length; }
      line.set(tail, o);
    }
    this.parts = [];
    this.partBytes = 0;
    this.overflow = false;
    if (tooLong) return null;
    if (this.raw) return line;
    let end = line.length;
    if (end > 0 && line[end - 1] === 0x0d) end--;
    for (let i = 0; i < end; i++) {
      const c = line[i];
      if (c !== 0x20 && c !== 0x09) return line.subarray(0, end);
    }
    return undefined; // blank
  }
}

/**
 * Splits a stream of chunks into JSON Lines without holding more than one partial line. Bytes
 * are split before decoding so a multi-byte character may straddle chunks. Blank lines are
 * skipped; `\r\n` endings are accepted. A line over `maxLineBytes` is reported as `null`.
 */
export async function* jsonLines(source: AsyncIterable<Chunk> | Iterable<Chunk>, maxLineBytes = 1 << 20): AsyncGenerator<Uint8Array | null> {
  const splitter = new LineSplitter(maxLineBytes);
  for await (const chunk of source as AsyncIterable<Chunk>) yield* splitter.push(chunk);
  const last = splitter.end();
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
  const start = (line: Uint8Array | null): Verdict | Promise<Verdict> => {
    if (line === null) return fail('malformed', 'line is longer than maxLineBytes');
    let parsed;
    try {
      parsed = parseToVerdict(decodeUtf8(line));
    } catch {
      parsed = fail('malformed', 'not valid UTF-8');
    }
    if (isVerdict(parsed)) return parsed;
    const verdict = verifyParsed(parsed, options.keys, backend);
    // Waiting in the queue is not "unhandled": the error reaches the caller when its turn comes.
    verdict.catch(() => undefined);
    return verdict;
  };
  // Lines are split synchronously within a chunk (one await per chunk, not per line).
  const splitter = new LineSplitter(options.maxLineBytes ?? 1 << 20);
  for await (const chunk of source as AsyncIterable<Chunk>) {
    for (const line of splitter.push(chunk)) {
      queue.push(start(line));
      if (queue.length >= window) yield await queue.shift()!;
    }
  }
  const last = splitter.end();
  if (last !== undefined) queue.push(start(last));
  while (queue.length) yield await queue.shift()!;
}
