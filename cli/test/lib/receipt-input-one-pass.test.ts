// `receipts verify` reads lines once: every byte is searched for a line end once, whatever the
// form turns out to be (JSON Lines, a multi-line document, a would-be document that is lines after
// all), and the records are those of a plain split on line feeds.
import { describe, expect, it } from 'vitest';
import { classify, receiptRecords, type ParseStats, type ReceiptRecord } from '../../src/lib/receipt-input.js';

const encoder = new TextEncoder();

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}

interface Seen {
  line: number;
  element?: number;
  text?: string;
  problem?: string;
}

const seen = (r: Pick<ReceiptRecord, 'line' | 'element' | 'input' | 'problem'>): Seen => ({
  line: r.line,
  ...(r.element !== undefined ? { element: r.element } : {}),
  ...(r.input !== undefined ? { text: typeof r.input === 'string' ? r.input : Buffer.from(r.input).toString('latin1') } : {}),
  ...(r.problem !== undefined ? { problem: r.problem } : {}),
});

async function read(text: string, size: number, limits: { maxLineBytes?: number; maxDocumentBytes?: number } = {}): Promise<{ records: Seen[]; stats: ParseStats }> {
  const stats: ParseStats = { scanned: 0, maxHeld: 0 };
  const records: Seen[] = [];
  for await (const r of receiptRecords('f', chunked(encoder.encode(text), size), { ...limits, stats })) records.push(seen(r));
  return { records, stats };
}

/** What JSON Lines means, written the obvious way: split on LF, classify each non-blank line. */
function naiveLines(text: string): Seen[] {
  return text.split('\n').flatMap((line, i) => {
    const what = classify(encoder.encode(line));
    return what ? [seen({ line: i + 1, ...what })] : [];
  });
}

const receipt = (n: number) => JSON.stringify({ request_id: `req_${n}`, amount: String(1000 + n), note: 'a, b\\n [c]' });

describe('receipt input reads each line once', () => {
  const sources: Record<string, string> = {
    'JSON Lines': Array.from({ length: 40 }, (_, i) => receipt(i)).join('\n'),
    'JSON Lines with CRLF, blanks and junk': [receipt(1), '', 'junk', `  ${receipt(2)}\r`, '{"a":', receipt(3)].join('\n'),
    // The first line is no JSON value of its own, so the source may be one document: it is not.
    'a broken first object, then lines': ['{"a":', ...Array.from({ length: 30 }, (_, i) => receipt(i))].join('\n'),
    'a one-line log page, then more lines': [JSON.stringify({ data: [JSON.parse(receipt(1))] }), receipt(2), receipt(3)].join('\n'),
  };

  for (const [name, text] of Object.entries(sources)) {
    it(`${name}: the records of a plain split, every byte scanned once, any chunking`, async () => {
      const expected = naiveLines(text);
      expect(expected.length).toBeGreaterThan(2);
      for (const size of [1, 3, 17, 64, 1 << 16]) {
        const { records, stats } = await read(text, size);
        expect(records, `chunks of ${size}`).toEqual(expected);
        expect(stats.scanned, `chunks of ${size}`).toBe(encoder.encode(text).length);
      }
    });
  }

  it('a multi-line document is read whole (its elements numbered), its bytes scanned once', async () => {
    const page = `{\n  "data": [\n    ${receipt(1)},\n    ${receipt(2)}\n  ],\n  "has_more": false\n}\n`;
    for (const size of [1, 5, 64]) {
      const { records, stats } = await read(page, size);
      expect(records).toEqual([
        { line: 3, element: 1, text: receipt(1) },
        { line: 4, element: 2, text: receipt(2) },
      ]);
      expect(stats.scanned).toBe(encoder.encode(page).length);
      // Held while the form was open: the document, not more.
      expect(stats.maxHeld).toBeLessThanOrEqual(encoder.encode(page).length);
    }
  });

  it('a would-be document over the document limit turns into lines without a second pass; memory stays within the limit', async () => {
    const text = ['{', ...Array.from({ length: 50 }, (_, i) => receipt(i)), '}'].join('\n');
    const bytes = encoder.encode(text).length;
    const maxDocumentBytes = 1024;
    expect(bytes).toBeGreaterThan(2 * maxDocumentBytes);
    for (const size of [7, 100, 1 << 16]) {
      const { records, stats } = await read(text, size, { maxLineBytes: 512, maxDocumentBytes });
      expect(records, `chunks of ${size}`).toEqual(naiveLines(text));
      expect(stats.scanned).toBe(bytes);
      // What was held while the form was open: up to the limit and the chunk that passed it.
      expect(stats.maxHeld).toBeLessThanOrEqual(maxDocumentBytes + size);
    }
  });

  it('a line the document allowed but the line limit does not is one failure once the source is lines', async () => {
    const long = `{"a":"${'x'.repeat(200)}"}`;
    const text = ['{', long, receipt(1)].join('\n');
    const { records } = await read(text, 16, { maxLineBytes: 100, maxDocumentBytes: 10_000 });
    expect(records).toEqual([
      { line: 1, text: '{' },
      { line: 2, problem: 'longer than 100 bytes, the longest receipt line read: not read' },
      { line: 3, text: receipt(1) },
    ]);
  });
});
