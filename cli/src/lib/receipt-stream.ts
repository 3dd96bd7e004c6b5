import { createReadStream, readFileSync, statSync } from 'node:fs';
import { UsageError } from './errors.js';
import { decodeText } from './input.js';

// JSON Lines files are verified as a stream (memory stays flat for a million receipts); the
// other input forms (arrays, one object, log pages, base64) are read whole.

export type SourceForm = { kind: 'lines'; chunks: AsyncIterable<Uint8Array> } | { kind: 'whole'; text: string };

// Small files are read in one synchronous call: streaming them would only add the wait for
// libuv's thread pool to the start-up time of a CI step.
const READ_WHOLE_BELOW = 4 << 20;

function open(file: string): AsyncIterable<Uint8Array> | string {
  if (file === '-') return process.stdin as AsyncIterable<Uint8Array>;
  try {
    const info = statSync(file);
    if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
    if (info.size < READ_WHOLE_BELOW) return decodeText(readFileSync(file));
  } catch (error) {
    throw new UsageError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'EIO'})`, 'check the file path');
  }
  return createReadStream(file, { highWaterMark: 1 << 16 });
}

/** Is this first line a receipt on its own (JSON Lines), rather than the start of something bigger? */
function isReceiptLine(line: string): boolean {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return false;
  try {
    const value = JSON.parse(trimmed) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray((value as { data?: unknown }).data);
  } catch {
    return false;
  }
}

/** Reads just enough of a source to tell JSON Lines from the rest. */
export async function openReceiptSource(file: string): Promise<SourceForm> {
  const opened = open(file);
  if (typeof opened === 'string') return { kind: 'whole', text: opened };
  const iterator = opened[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let text = '';
  let done = false;
  const decoder = new TextDecoder();
  while (!text.includes('\n')) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    head.push(next.value);
    text += decoder.decode(next.value, { stream: true });
  }
  const firstLine = text.replace(/^\uFEFF/, '').split('\n', 1)[0] ?? '';
  if (!isReceiptLine(firstLine)) {
    // Not JSON Lines: the form needs the whole text anyway.
    if (!done) {
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        text += decoder.decode(next.value, { stream: true });
      }
    }
    return { kind: 'whole', text: text + decoder.decode() };
  }
  async function* chunks(): AsyncGenerator<Uint8Array> {
    yield* head;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { kind: 'lines', chunks: chunks() };
}
