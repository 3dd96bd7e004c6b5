// `call --batch` reads its input as needed: lines split across chunks, decoded, over-long ones flagged.
import { describe, expect, it } from 'vitest';
import { readLines } from '../../../src/lib/batch/lines.js';

async function* chunks(...parts: Array<string | number[]>): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield typeof part === 'string' ? new TextEncoder().encode(part) : new Uint8Array(part);
}

async function all<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

describe('readLines', () => {
  it('splits across chunk boundaries, LF and CRLF, numbering from 1; a last line without a newline counts', async () => {
    const lines = await all(readLines(chunks('{"a":', '1}\r\n\n{"b"', ':2}\n', 'x', 'y')));
    expect(lines).toEqual([
      { number: 1, text: '{"a":1}' },
      { number: 2, text: '' },
      { number: 3, text: '{"b":2}' },
      { number: 4, text: 'xy' },
    ]);
  });

  it('decodes UTF-8 with a byte-order mark and multi-byte characters split across chunks; UTF-16 with a mark', async () => {
    const euro = [...new TextEncoder().encode('€')];
    expect(await all(readLines(chunks([0xef, 0xbb], [0xbf, 0x61, euro[0]!], [euro[1]!, euro[2]!, 0x0a])))).toEqual([{ number: 1, text: 'a€' }]);
    const utf16be = Buffer.from('\ufeffé\nz', 'utf16le').swap16();
    expect(await all(readLines(chunks([...utf16be])))).toEqual([
      { number: 1, text: 'é' },
      { number: 2, text: 'z' },
    ]);
  });

  it('a line over the limit is flagged (its text dropped), and the next one is read normally', async () => {
    const lines = await all(readLines(chunks('short\n', 'x'.repeat(30), 'x'.repeat(30), '\nafter\n'), 40));
    expect(lines).toEqual([
      { number: 1, text: 'short' },
      { number: 2, text: '', tooLong: true },
      { number: 3, text: 'after' },
    ]);
  });
});
