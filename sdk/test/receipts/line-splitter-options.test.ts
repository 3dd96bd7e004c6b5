// LineSplitter's options for readers that wrap JSON Lines in more forms (the CLI's receipt input):
// raw lines, a first line number, a limit changed mid-stream, counters. The default behaviour is
// the one stream.test.ts checks through verifyStream and jsonLines.
import { describe, expect, it } from 'vitest';
import { LineSplitter, type LineStats } from '../../src/receipts/index.js';

const encoder = new TextEncoder();
const latin1 = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString('latin1'));

function split(splitter: LineSplitter, text: string, size: number): Array<[number, string | null]> {
  const bytes = encoder.encode(text);
  const out: Array<[number, string | null]> = [];
  for (let i = 0; i < bytes.length; i += size) {
    for (const line of splitter.push(bytes.slice(i, i + size))) out.push([splitter.line, latin1(line)]);
  }
  const last = splitter.end();
  if (last !== undefined) out.push([splitter.line, latin1(last)]);
  return out;
}

describe('LineSplitter options', () => {
  const text = '{"a":1}\r\n\n   \n{"b":2}\n  tail';

  it('by default skips blank lines and drops the CR of CRLF', () => {
    for (const size of [1, 4, 1024]) {
      expect(split(new LineSplitter(100), text, size)).toEqual([[1, '{"a":1}'], [4, '{"b":2}'], [5, '  tail']]);
    }
  });

  it('raw: every line as read, blank ones and CR kept; firstLine numbers them', () => {
    for (const size of [1, 4, 1024]) {
      expect(split(new LineSplitter(100, { raw: true, firstLine: 7 }), text, size)).toEqual([
        [7, '{"a":1}\r'], [8, ''], [9, '   '], [10, '{"b":2}'], [11, '  tail'],
      ]);
    }
  });

  it('raw: no last line when the input ends with a line feed', () => {
    expect(split(new LineSplitter(100, { raw: true }), 'x\n', 1)).toEqual([[1, 'x']]);
  });

  it('limit() applies to the line being read: over it already, that line is null', () => {
    const splitter = new LineSplitter(100, { raw: true });
    expect([...splitter.push(encoder.encode('0123456789'))]).toEqual([]);
    expect(splitter.holding).toBe(10);
    splitter.limit(5);
    expect(splitter.holding).toBe(0);
    expect([...splitter.push(encoder.encode('ab\nabcdef\nabc\n'))].map(latin1)).toEqual([null, null, 'abc']);
    splitter.limit(100);
    expect([...splitter.push(encoder.encode('abcdef\n'))].map(latin1)).toEqual(['abcdef']);
  });

  it('stats: every byte searched once; the most of one line held', () => {
    // Held: the longest line's bytes before its line feed arrives (chunks of 3 cut it short),
    // or only the unterminated tail when one chunk holds everything.
    for (const [size, held] of [[1, 8], [3, 7], [1024, 6]] as const) {
      const stats: LineStats = { scanned: 0, maxHeld: 0 };
      split(new LineSplitter(100, { stats }), text, size);
      expect(stats.scanned).toBe(encoder.encode(text).length);
      expect(stats.maxHeld, `chunks of ${size}`).toBe(held);
    }
  });
});
