// The lines of a batch file or of stdin, read as they are needed: the caller pulls the next line
// only when it can start another call, so a large batch (or an endless pipe) holds a few chunks in
// memory, never the whole input.

/** One line of input, numbered from 1 as editors and `sed -n Np` count. */
export interface InputLine {
  number: number;
  text: string;
  /** The line was longer than the limit: `text` is empty and it is reported, not parsed. */
  tooLong?: boolean;
}

/** A call line bigger than this is refused (a body that size belongs in a file of its own). */
export const MAX_LINE_CHARS = 8 * 1024 * 1024;

/**
 * Splits a byte stream into lines (LF or CRLF). UTF-8, with or without a byte-order mark, or
 * UTF-16 with one (Windows PowerShell 5 writes `>` redirections as UTF-16LE).
 */
export async function* readLines(stream: AsyncIterable<Uint8Array | string>, maxChars = MAX_LINE_CHARS): AsyncGenerator<InputLine> {
  let decoder: TextDecoder | undefined;
  // The first bytes, until there are enough to tell a byte-order mark.
  let head: Uint8Array = new Uint8Array(0);
  let pending = '';
  let skipping = false;
  let number = 0;
  const finish = (text: string): InputLine => {
    number++;
    if (skipping || text.length > maxChars) {
      skipping = false;
      return { number, text: '', tooLong: true };
    }
    return { number, text: text.endsWith('\r') ? text.slice(0, -1) : text };
  };
  const decode = (bytes: Uint8Array, end: boolean): string => {
    if (!decoder) {
      const joined = concat(head, bytes);
      if (joined.length < 3 && !end) {
        head = joined;
        return '';
      }
      const [encoding, bom] = encodingOf(joined);
      // The mark is skipped here; a second one would be content.
      decoder = new TextDecoder(encoding, { ignoreBOM: true });
      bytes = joined.subarray(bom);
    }
    return decoder.decode(bytes, { stream: !end });
  };
  function* split(text: string, end: boolean): Generator<InputLine> {
    pending += text;
    let from = 0;
    for (let at = pending.indexOf('\n'); at !== -1; at = pending.indexOf('\n', from)) {
      const line = finish(pending.slice(from, at));
      from = at + 1;
      yield line;
    }
    pending = pending.slice(from);
    if (pending.length > maxChars) {
      // Past the limit: keep nothing of this line, and say so when its end comes.
      skipping = true;
      pending = '';
    }
    if (end && (pending !== '' || skipping)) yield finish(pending);
  }
  for await (const chunk of stream) yield* split(decode(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk, false), false);
  yield* split(decode(new Uint8Array(0), true), true);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** The text encoding of the input, from its byte-order mark (UTF-8 without one), and the mark's length. */
function encodingOf(bytes: Uint8Array): [string, number] {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return ['utf-16le', 2];
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return ['utf-16be', 2];
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return ['utf-8', 3];
  return ['utf-8', 0];
}
