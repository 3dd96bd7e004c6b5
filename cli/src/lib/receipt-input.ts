import { UsageError } from './errors.js';

// Receipt input, one parser for every way bytes arrive (receipt-stream.ts opens them). A source
// is read as a stream; what it holds is told from its content alone, never from its size or kind:
// - JSON Lines (the common form, and the receipt trail's): one receipt per line, each judged on
//   its own: a bad line is one failure with its line number, and the rest is still read;
// - a JSON array of receipts (any size: its elements are split as they stream by);
// - one JSON document over several lines: a receipt, or a page of the receipt log (`{data: [...]}`);
// - base64 header values, one per line (mixed with JSON lines too).
// Lines of the receipt trail (`{"proxygate_receipt":1,"receipt":"<receipt JSON>",...}`) are read
// as the receipt they hold; the verdict they carry is never believed. Bytes are handed to the
// SDK's strict reader untouched (invalid UTF-8 is `malformed` wherever it is), memory stays
// bounded by the longest line allowed (and one multi-line document: see MAX_DOCUMENT_BYTES).

/** One receipt (or one thing that should have been one) and where it is. */
export interface ReceiptRecord {
  source: string;
  /** 1-based line of the source where the receipt starts (blank lines counted). */
  line: number;
  /** 1-based position in a JSON array or receipt-log page. */
  element?: number;
  /** The receipt's own JSON (bytes as read, or the text a trail line holds) or its decoded header value. */
  input?: Uint8Array | string;
  /** Why this is not a receipt at all: judged `malformed` with this message. */
  problem?: string;
}

export interface ParseOptions {
  /** Longest line (or array element) read; longer ones are one failure each. Default 1 MiB. */
  maxLineBytes?: number;
  /** Largest multi-line JSON document read whole (a receipt, a log page). Default 16 MiB. */
  maxDocumentBytes?: number;
  /** Told the size of every chunk read (progress). */
  onBytes?: (bytes: number) => void;
  /** Counters for tests: bytes searched for line ends, largest number of bytes held at once. */
  stats?: ParseStats;
}

export interface ParseStats {
  scanned: number;
  maxHeld: number;
}

export const MAX_LINE_BYTES = 1 << 20;
// A document is one receipt or one log page (100 receipts); arrays of any size are streamed.
export const MAX_DOCUMENT_BYTES = 16 << 20;

const LF = 0x0a;
const isSpace = (b: number | undefined) => b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** `file:line`, or `file#n` for an element of an array or log page. */
export function locator(record: Pick<ReceiptRecord, 'source' | 'line' | 'element'>): string {
  return record.element === undefined ? `${record.source}:${record.line}` : `${record.source}#${record.element}`;
}

/** A source's chunks with pushed-back ones first (a look-ahead that turned out to be lines). */
class Chunks {
  private readonly back: Uint8Array[] = [];
  private readonly it: AsyncIterator<Uint8Array>;
  constructor(source: AsyncIterable<Uint8Array>, private readonly onBytes?: (n: number) => void) {
    this.it = source[Symbol.asyncIterator]();
  }
  async next(): Promise<Uint8Array | undefined> {
    const held = this.back.pop();
    if (held) return held;
    const next = await this.it.next();
    if (next.done) return undefined;
    this.onBytes?.(next.value.length);
    return next.value;
  }
  /** Puts chunks back to be read again, in their order. */
  unread(chunks: Uint8Array[]): void {
    for (let i = chunks.length - 1; i >= 0; i--) if (chunks[i]!.length > 0) this.back.push(chunks[i]!);
  }
}

/**
 * A UTF-16 source (a byte-order mark first: Windows PowerShell 5 `>` writes UTF-16LE) as UTF-8,
 * so every form reads the same from here on.
 */
async function* utf16ToUtf8(first: Uint8Array, rest: Chunks, encoding: 'utf-16le' | 'utf-16be'): AsyncGenerator<Uint8Array> {
  const decoder = new TextDecoder(encoding);
  const encoder = new TextEncoder();
  yield encoder.encode(decoder.decode(first, { stream: true }));
  for (let chunk = await rest.next(); chunk; chunk = await rest.next()) yield encoder.encode(decoder.decode(chunk, { stream: true }));
  yield encoder.encode(decoder.decode());
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function trim(bytes: Uint8Array): Uint8Array {
  let start = 0;
  let end = bytes.length;
  while (start < end && isSpace(bytes[start])) start++;
  while (end > start && isSpace(bytes[end - 1])) end--;
  return bytes.subarray(start, end);
}

const TRAIL_START = /^\{\s*"proxygate_receipt"\s*:/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** The receipt a receipt-trail line holds (its JSON text, or its base64 header value decoded). */
function unwrapTrail(bytes: Uint8Array): Pick<ReceiptRecord, 'input' | 'problem'> {
  let wrapper: unknown;
  try {
    wrapper = JSON.parse(strictUtf8.decode(bytes));
  } catch (error) {
    return { problem: error instanceof TypeError ? 'not valid UTF-8' : 'a receipt trail line that is not JSON' };
  }
  const { proxygate_receipt: format, receipt } = (wrapper ?? {}) as { proxygate_receipt?: unknown; receipt?: unknown };
  if (format !== 1) return { problem: `a receipt trail line of format ${JSON.stringify(format)} (this CLI reads format 1)` };
  if (typeof receipt !== 'string' || receipt.trim() === '') return { problem: 'a receipt trail line without its receipt' };
  const text = receipt.trim();
  if (TRAIL_START.test(text)) return { problem: 'a receipt trail line inside a receipt trail line' };
  // The receipt's own JSON text, as the gateway sent it (a string keeps lone surrogates for the SDK to refuse).
  if (text.startsWith('{')) return { input: receipt };
  if (BASE64.test(text)) return { input: Buffer.from(text, 'base64') };
  return { problem: 'a receipt trail line whose receipt is neither JSON nor a base64 header value' };
}

/** What one line (or array element) holds: a receipt's bytes, a problem, or nothing (blank). */
export function classify(raw: Uint8Array): Pick<ReceiptRecord, 'input' | 'problem'> | undefined {
  const bytes = trim(raw);
  if (bytes.length === 0) return undefined;
  const first = bytes[0];
  if (first === 0x7b) {
    const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 64)).toString('latin1');
    return TRAIL_START.test(head) ? unwrapTrail(bytes) : { input: bytes };
  }
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return { problem: 'not valid UTF-8' };
  }
  if (first === 0x22) {
    // A JSON string (an array of header values): its content is read like a line.
    try {
      const inner = JSON.parse(text) as unknown;
      if (typeof inner === 'string') return classify(new TextEncoder().encode(inner)) ?? { problem: 'an empty string' };
    } catch {
      // Not a JSON string: reported below.
    }
  } else if (BASE64.test(text)) {
    // A header value is the base64 of the receipt's JSON object; anything else is not one.
    const decoded = Buffer.from(text, 'base64');
    if (trim(decoded)[0] === 0x7b) return { input: decoded };
  }
  return { problem: NOT_A_RECEIPT };
}

const NOT_A_RECEIPT = 'not a receipt: neither a JSON object nor a base64 receipt header value';

const tooLong = (max: number) => `longer than ${max} bytes, the longest receipt line read: not read`;

/**
 * The records of one source. Form first (from the first bytes that are not white space), then
 * one record per receipt, in order. Never throws for bad content: every problem is a record.
 */
export async function* receiptRecords(source: string, input: AsyncIterable<Uint8Array>, options: ParseOptions = {}): AsyncGenerator<ReceiptRecord> {
  const maxLine = options.maxLineBytes ?? MAX_LINE_BYTES;
  const maxDocument = Math.max(maxLine, options.maxDocumentBytes ?? MAX_DOCUMENT_BYTES);
  let chunks = new Chunks(input, options.onBytes);

  // Byte-order marks: UTF-16 is read as UTF-8 from here on; a UTF-8 one is skipped.
  let head = await chunks.next();
  while (head && head.length < 3) {
    const more = await chunks.next();
    if (!more) break;
    head = concat([head, more], head.length + more.length);
  }
  if (!head) return;
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    chunks = new Chunks(utf16ToUtf8(head.subarray(2), chunks, head[0] === 0xff ? 'utf-16le' : 'utf-16be'));
    head = await chunks.next();
  } else if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) {
    head = head.subarray(3);
  }

  // Leading white space: skipped, its lines counted.
  let line = 1;
  let first: number | undefined;
  while (head) {
    let i = 0;
    while (i < head.length && isSpace(head[i])) if (head[i++] === LF) line++;
    if (i < head.length) {
      head = head.subarray(i);
      first = head[0];
      break;
    }
    head = await chunks.next();
  }
  if (!head || first === undefined) return;
  chunks.unread([head]);

  if (first === 0x5b) {
    yield* arrayRecords(source, chunks, line, maxLine, options.stats);
    return;
  }
  yield* lineRecords(source, chunks, line, maxLine, options.stats, first === 0x7b ? maxDocument : undefined);
}

type Line = { line: number; bytes: Uint8Array | null };

let lineSplitter: Promise<typeof import('../lazy/receipt-lines.js')> | undefined;
const loadLineSplitter = () => (lineSplitter ??= import('../lazy/receipt-lines.js'));

/**
 * Lines from `chunks` (the first one starting at `line`), each classified, in one pass: every byte
 * is searched for line ends once and each line is cut out once.
 *
 * `maxDocument` (a source starting with `{`): it may instead be one JSON document over several
 * lines (a receipt, a log page). It is, when its first line is not a complete JSON value of its own
 * (or is a log page) and the whole source is one JSON value within `maxDocument` bytes. While that
 * is open its lines are held, not judged; then they are joined into the document, or judged as the
 * lines they already are. The form depends on the bytes alone, never on how they were chunked.
 */
async function* lineRecords(
  source: string,
  chunks: Chunks,
  line: number,
  max: number,
  stats: ParseStats | undefined,
  maxDocument?: number,
): AsyncGenerator<ReceiptRecord> {
  // The SDK's splitter, raw: blank lines count for line numbers and a held document keeps its bytes.
  const { LineSplitter } = await loadLineSplitter();
  const splitter = new LineSplitter(max, { firstLine: line, raw: true, ...(stats ? { stats } : {}) });
  const record = (l: Line): ReceiptRecord | undefined => {
    if (l.bytes !== null && l.bytes.length > max) l = { line: l.line, bytes: null };
    if (l.bytes === null) return { source, line: l.line, problem: tooLong(max) };
    const what = classify(l.bytes);
    return what && { source, line: l.line, ...what };
  };
  // The document question: `first` until the first line is read, `held` while its lines are kept.
  let form = (maxDocument === undefined ? 'lines' : 'first') as 'lines' | 'first' | 'held';
  let held: Line[] = [];
  let heldBytes = 0;
  let read = 0;
  /** What a finished line means for the form; the records to yield now. */
  const take = (l: Line): ReceiptRecord[] => {
    if (form === 'lines') {
      const r = record(l);
      return r ? [r] : [];
    }
    if (form === 'first') {
      // A first line over the line limit, or a complete JSON value of its own (a receipt, not a
      // page): JSON Lines.
      if (l.bytes === null || !opensDocument(l.bytes)) {
        form = 'lines';
        return take(l);
      }
      form = 'held';
      splitter.limit(maxDocument!);
    }
    // Copied: the reader may reuse its chunk's memory.
    held.push({ line: l.line, bytes: l.bytes && l.bytes.slice() });
    heldBytes += (l.bytes?.length ?? 0) + 1;
    return [];
  };
  /** Not one document after all: the held lines are judged as lines, from here on too. */
  const asLines = (): ReceiptRecord[] => {
    form = 'lines';
    splitter.limit(max);
    const lines = held;
    held = [];
    heldBytes = 0;
    return lines.flatMap((l) => take(l));
  };
  for (let chunk = await chunks.next(); chunk; chunk = await chunks.next()) {
    read += chunk.length;
    for (const bytes of splitter.push(chunk)) yield* take({ line: splitter.line, bytes });
    if (form !== 'held') continue;
    if (stats) stats.maxHeld = Math.max(stats.maxHeld, heldBytes + splitter.holding);
    if (read > maxDocument!) yield* asLines();
  }
  const last = splitter.end();
  if (last !== undefined) yield* take({ line: splitter.line, bytes: last });
  if (form !== 'held') return;
  const document = joinedDocument(held);
  if (document) yield* documentRecords(source, document.text, held[0]!.line, document.value);
  else yield* asLines();
}

/** A first line that does not end the source's JSON Lines form: not JSON of its own, or a log page. */
function opensDocument(bytes: Uint8Array): boolean {
  try {
    return isLogPage(JSON.parse(strictUtf8.decode(bytes)));
  } catch {
    return true;
  }
}

/** The held lines as one JSON document (text and value), or undefined when they are not one. */
function joinedDocument(lines: readonly Line[]): { text: string; value: unknown } | undefined {
  const parts: Uint8Array[] = [];
  let total = 0;
  const lf = Uint8Array.of(LF);
  for (const [i, l] of lines.entries()) {
    if (l.bytes === null) return undefined;
    if (i > 0) parts.push(lf);
    parts.push(l.bytes);
    total += l.bytes.length + (i > 0 ? 1 : 0);
  }
  try {
    const text = strictUtf8.decode(concat(parts, total));
    return { text, value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

function isLogPage(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Array.isArray((value as { data?: unknown }).data);
}

const lineAt = (text: string, offset: number, from: { offset: number; line: number }): number => {
  let line = from.line;
  for (let i = from.offset; i < offset; i++) if (text.charCodeAt(i) === LF) line++;
  from.offset = offset;
  from.line = line;
  return line;
};

/** The receipts of one multi-line JSON document: a log page's `data`, or the one receipt it is. */
function* documentRecords(source: string, text: string, line: number, value: unknown): Generator<ReceiptRecord> {
  const encoder = new TextEncoder();
  if (isLogPage(value)) {
    let data: { start: number; end: number } | undefined;
    try {
      data = logPageDataRange(text, source);
    } catch (error) {
      yield { source, line, problem: (error as Error).message };
      return;
    }
    if (!data) return;
    const cursor = { offset: 0, line };
    let n = 0;
    for (const element of jsonArrayElements(text, data.start)) {
      n++;
      const at = lineAt(text, element.start, cursor);
      const what = element.text === '' ? { problem: 'an empty array element' } : classify(encoder.encode(element.text));
      yield { source, line: at, element: n, ...(what ?? { problem: 'an empty array element' }) };
    }
    return;
  }
  const what = classify(encoder.encode(text));
  if (what) yield { source, line, ...what };
}

/**
 * A JSON array streamed element by element (any size, memory bounded by `max` per element);
 * anything after its closing bracket is read as lines.
 */
async function* arrayRecords(source: string, chunks: Chunks, startLine: number, max: number, stats: ParseStats | undefined): AsyncGenerator<ReceiptRecord> {
  let line = startLine;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let element = 0;
  let parts: Uint8Array[] = [];
  let held = 0;
  let overflow = false;
  let elementLine = 0;
  let elementStart = -1; // within the current chunk, -1: not started or carried in parts
  let started = false; // an element has a non-space byte
  const flush = (chunk: Uint8Array, end: number): ReceiptRecord | undefined => {
    const tail = elementStart >= 0 ? chunk.subarray(elementStart, end) : new Uint8Array(0);
    const total = held + tail.length;
    const bytes = overflow || total > max ? null : held === 0 ? tail : concat([...parts, tail], total);
    parts = [];
    held = 0;
    overflow = false;
    elementStart = -1;
    const wasStarted = started;
    started = false;
    element++;
    if (!wasStarted) return { source, line, element, problem: 'an empty array element' };
    if (bytes === null) return { source, line: elementLine, element, problem: tooLong(max) };
    return { source, line: elementLine, element, ...(classify(bytes) ?? { problem: 'an empty array element' }) };
  };
  for (let chunk = await chunks.next(); chunk; chunk = await chunks.next()) {
    if (stats) stats.scanned += chunk.length;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === LF) line++;
      if (depth === 0) {
        if (b === 0x5b) depth = 1; // the opening bracket (leading space was skipped before)
        continue;
      }
      if (depth === 1 && !inString && !started && !isSpace(b) && b !== 0x2c && b !== 0x5d) {
        started = true;
        elementLine = line;
        elementStart = i;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (b === 0x5c) escaped = true;
        else if (b === 0x22) inString = false;
        continue;
      }
      if (b === 0x22) inString = true;
      else if (b === 0x5b || b === 0x7b) depth++;
      else if (b === 0x5d || b === 0x7d) {
        depth--;
        if (depth === 0) {
          // `[]` has no element; `[a]` one; `[a,]` an empty last one.
          if (started || element > 0) {
            const r = flush(chunk, i);
            if (r) yield r;
          }
          chunks.unread([chunk.subarray(i + 1)]);
          yield* lineRecords(source, chunks, line, max, stats);
          return;
        }
      } else if (b === 0x2c && depth === 1) {
        const r = flush(chunk, i);
        if (r) yield r;
      }
    }
    // The element continues in the next chunk: keep its bytes so far (bounded).
    if (elementStart >= 0) {
      const rest = chunk.subarray(elementStart);
      if (overflow || held + rest.length > max) {
        overflow = true;
        parts = [];
        held = 0;
      } else {
        parts.push(rest.slice());
        held += rest.length;
        if (stats) stats.maxHeld = Math.max(stats.maxHeld, held);
      }
      elementStart = 0;
    }
  }
  // The input ended inside the array.
  element++;
  yield { source, line: started ? elementLine : line, element, problem: started ? 'the JSON array ends inside this element: it is not closed' : 'the JSON array is not closed' };
}

/**
 * Every record of every source in order (`onBytes` hears each chunk's size, for progress). Each
 * source is opened only when the one before it is done.
 */
export async function* allRecords(sources: Iterable<{ name: string; chunks: AsyncIterable<Uint8Array> }>, options: ParseOptions = {}): AsyncGenerator<ReceiptRecord> {
  for (const s of sources) yield* receiptRecords(s.name, s.chunks, options);
}

// ---- JSON text helpers (also used by `receipts log` to keep each receipt's exact text) ----

/** Range of the top-level `data` array's text in a log page, if there is one; two `data` members throw. */
function logPageDataRange(objectText: string, source: string): { start: number; end: number } | undefined {
  const members = topLevelMembers(objectText).filter((member) => member.key === 'data');
  // JSON.parse keeps the last of duplicate keys, other readers the first: refuse to pick.
  if (members.length > 1) throw new UsageError(`${source}: the receipt-log page has ${members.length} "data" members`);
  const start = members[0]?.value;
  if (start === undefined || objectText[start] !== '[') return undefined;
  const end = walkBrackets(objectText, start).end;
  return end === -1 ? undefined : { start, end };
}

/**
 * The raw text of the `data` array of a `{ data: [...], head }` receipt-log page, if that is what
 * this is. Only the top-level member counts: a nested `data` must not stand in for it.
 */
export function logPageData(objectText: string, source: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(objectText);
  } catch {
    return undefined;
  }
  if (!isLogPage(parsed)) return undefined;
  const range = logPageDataRange(objectText, source);
  return range && objectText.slice(range.start, range.end + 1);
}

/**
 * The keys (decoded) of the own members of a well-formed JSON object's text and where each value
 * starts: member i lies between the i-th separator (the `{`, then each comma) and its colon.
 */
function topLevelMembers(text: string): Array<{ key: string; value: number }> {
  const open = text.indexOf('{');
  const { commas, colons } = walkBrackets(text, open);
  const starts = [open, ...commas];
  return colons.map((colon, i) => {
    let value = colon + 1;
    while (/\s/.test(text[value] ?? '')) value++;
    return { key: JSON.parse(text.slice(starts[i]! + 1, colon)) as string, value };
  });
}

/** The elements of the JSON array whose `[` is at `open`: their trimmed text and where each starts. */
function jsonArrayElements(text: string, open: number): Array<{ text: string; start: number }> {
  const { end, commas } = walkBrackets(text, open);
  const bounds = [open, ...commas, end];
  const elements = bounds.slice(1).map((bound, i) => {
    const raw = text.slice(bounds[i]! + 1, bound);
    const lead = raw.length - raw.trimStart().length;
    return { text: raw.trim(), start: bounds[i]! + 1 + lead };
  });
  return elements.length === 1 && elements[0]!.text === '' ? [] : elements;
}

/** Splits the top level of a JSON array into element texts without re-serialising them. */
export function splitJsonArray(text: string, source: string): string[] {
  const { end } = walkBrackets(text, 0);
  if (end === -1 || text.slice(end + 1).trim() !== '') throw new UsageError(`${source}: the JSON array is not well formed`);
  return jsonArrayElements(text, 0).map((e) => e.text);
}

/**
 * Walks a JSON value from its opening bracket, skipping strings: the index of the matching
 * closing bracket (-1 when there is none) and of the commas and colons directly inside it.
 */
function walkBrackets(text: string, open: number): { end: number; commas: number[]; colons: number[] } {
  const commas: number[] = [];
  const colons: number[] = [];
  let depth = 0;
  let inString = false;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') {
      depth--;
      if (depth === 0) return { end: i, commas, colons };
    } else if (ch === ',' && depth === 1) commas.push(i);
    else if (ch === ':' && depth === 1) colons.push(i);
  }
  return { end: -1, commas, colons };
}

// ---- sharding ----

/** `--shard i/n` (1-based): which part of the work this CI job takes. */
export function parseShard(value: string): { index: number; total: number } {
  const match = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = Number(match?.[1]);
  const total = Number(match?.[2]);
  if (!match || total < 1 || index < 1 || index > total) throw new UsageError(`--shard must be i/n with 1 <= i <= n, got "${value}"`, 'e.g. --shard 2/4');
  return { index, total };
}

/** A stable shard for a key (FNV-1a), so every job agrees without talking to the others. */
export function shardOf(key: string, total: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash % total) + 1;
}
