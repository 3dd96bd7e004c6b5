import { describe, expect, it } from 'vitest';
import { MAX_LINE_BYTES, parseShard, receiptRecords, shardOf, splitJsonArray, type ParseStats, type ReceiptRecord } from '../../src/lib/receipt-input.js';
import { UsageError } from '../../src/lib/errors.js';

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

/** The records of `input` read in chunks of `size` bytes, inputs as text for comparison. */
async function records(input: string | Uint8Array, size = 1 << 16, stats?: ParseStats): Promise<Seen[]> {
  const bytes = typeof input === 'string' ? encoder.encode(input) : input;
  const out: Seen[] = [];
  for await (const r of receiptRecords('f', chunked(bytes, size), stats ? { stats } : {})) out.push(seen(r));
  return out;
}

function seen(r: ReceiptRecord): Seen {
  const s: Seen = { line: r.line };
  if (r.element !== undefined) s.element = r.element;
  if (r.input !== undefined) s.text = typeof r.input === 'string' ? r.input : Buffer.from(r.input).toString('latin1');
  if (r.problem !== undefined) s.problem = r.problem;
  return s;
}

/** Every chunking of the same bytes gives the same records. */
async function sameEveryWay(input: string | Uint8Array): Promise<Seen[]> {
  const whole = await records(input);
  for (const size of [1, 2, 3, 7, 64]) expect(await records(input, size), `chunks of ${size}`).toEqual(whole);
  return whole;
}

const trail = (receipt: string, verdict = { valid: true, reason: 'valid' }) => JSON.stringify({ proxygate_receipt: 1, receipt, verdict, call: {}, recorded_at: '2026-12-02T10:00:00.000Z' });

describe('receipt input: one parser, the same records however the bytes arrive', () => {
  it('JSON Lines: physical line numbers (CRLF, blank lines), each line on its own, a bad one does not spoil the rest', async () => {
    expect(await sameEveryWay('{"a":1}\r\n\r\n{"a":2}\nnot json at all\n\n  {"a":3}  \n{"a":')).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 3, text: '{"a":2}' },
      { line: 4, problem: 'not a receipt: neither a JSON object nor a base64 receipt header value' },
      { line: 6, text: '{"a":3}' },
      // An incomplete object is still an object-looking line: the SDK's reader calls it malformed.
      { line: 7, text: '{"a":' },
    ]);
  });

  it('a first line that is not JSON is one failure, not a usage error; a broken first object is read as a line', async () => {
    expect(await sameEveryWay('hello!\n{"a":1}\n')).toEqual([
      { line: 1, problem: 'not a receipt: neither a JSON object nor a base64 receipt header value' },
      { line: 2, text: '{"a":1}' },
    ]);
    expect(await sameEveryWay('{"a":\n{"a":1}\n')).toEqual([
      { line: 1, text: '{"a":' },
      { line: 2, text: '{"a":1}' },
    ]);
  });

  it('invalid UTF-8 reaches the verifier as it is (malformed there), or is named when it is not even an object', async () => {
    const bytes = Uint8Array.from([...encoder.encode('{"a":"'), 0xc3, 0x28, ...encoder.encode('"}\n\u00ff'), 0xfe, 0x0a, ...encoder.encode('{"a":1}')]);
    const got = await sameEveryWay(bytes);
    expect(got[0]).toEqual({ line: 1, text: Buffer.from(bytes.subarray(0, 10)).toString('latin1') });
    expect(got.slice(1)).toEqual([{ line: 2, problem: 'not valid UTF-8' }, { line: 3, text: '{"a":1}' }]);
  });

  it('one JSON document over several lines: a receipt, or a receipt-log page (its own data, elements numbered)', async () => {
    expect(await sameEveryWay('\n{\n  "a": 1\n}\n')).toEqual([{ line: 2, text: '{\n  "a": 1\n}' }]);
    const page = '{"meta":{"data":[], "note":"data"},"data" :\n [{"a":"]"},\n  {"a":2}],"head":{"data":[]}}';
    expect(await sameEveryWay(page)).toEqual([
      { line: 2, element: 1, text: '{"a":"]"}' },
      { line: 3, element: 2, text: '{"a":2}' },
    ]);
    // A compact one-line page is a page too.
    expect(await sameEveryWay('{"data":[{"a":1},{"a":2}],"cursor":null,"has_more":false}')).toEqual([
      { line: 1, element: 1, text: '{"a":1}' },
      { line: 1, element: 2, text: '{"a":2}' },
    ]);
    expect(await records('{"data":[],"data":[{"a":1}]}')).toEqual([{ line: 1, problem: 'f: the receipt-log page has 2 "data" members' }]);
    // A document over the limit (a receipt or a page is small) is read as lines: bounded memory.
    const big: Seen[] = [];
    for await (const r of receiptRecords('f', chunked(encoder.encode('{\n  "a": 1\n}\n'), 3), { maxLineBytes: 8, maxDocumentBytes: 8 })) big.push(seen(r));
    expect(big).toEqual([{ line: 1, text: '{' }, { line: 2, problem: 'not a receipt: neither a JSON object nor a base64 receipt header value' }, { line: 3, problem: 'not a receipt: neither a JSON object nor a base64 receipt header value' }]);
  });

  it('JSON arrays stream element by element with their lines; an unclosed one is one failure; what follows is read as lines', async () => {
    expect(await sameEveryWay('[ {"a":"x,]}","b":[1,2]} ,\n{"a":"\\"q\\""} ]')).toEqual([
      { line: 1, element: 1, text: '{"a":"x,]}","b":[1,2]}' },
      { line: 2, element: 2, text: '{"a":"\\"q\\""}' },
    ]);
    expect(await sameEveryWay('[]')).toEqual([]);
    expect(await sameEveryWay('[{"a":1},,{"a":2},]')).toEqual([
      { line: 1, element: 1, text: '{"a":1}' },
      { line: 1, element: 2, problem: 'an empty array element' },
      { line: 1, element: 3, text: '{"a":2}' },
      { line: 1, element: 4, problem: 'an empty array element' },
    ]);
    expect(await sameEveryWay('[\n{"a":1},\n{"a":')).toEqual([
      { line: 2, element: 1, text: '{"a":1}' },
      { line: 3, element: 2, problem: 'the JSON array ends inside this element: it is not closed' },
    ]);
    expect(await sameEveryWay('[{"a":1}]\n{"b":2}\n')).toEqual([
      { line: 1, element: 1, text: '{"a":1}' },
      { line: 2, text: '{"b":2}' },
    ]);
  });

  it('base64 header values (lines, or strings of an array) are decoded; trail lines give the receipt they hold, never their verdict', async () => {
    const b64 = Buffer.from('{"a":1}').toString('base64');
    expect(await sameEveryWay(`${b64}\n\n${b64}`)).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 3, text: '{"a":1}' },
    ]);
    expect(await sameEveryWay(`["${b64}"]`)).toEqual([{ line: 1, element: 1, text: '{"a":1}' }]);
    const lines = [
      trail('{"b":2,"b":3}', { valid: true, reason: 'valid' }),
      trail(b64),
      trail('not*a*receipt', { valid: false, reason: 'malformed' }),
      JSON.stringify({ proxygate_receipt: 2, receipt: '{}' }),
      '{"proxygate_receipt":1,"receipt":',
      trail(trail('{"c":1}')),
      '{ "proxygate_receipt" : 1, "receipt": "{\\"d\\":1}" }',
    ];
    expect(await sameEveryWay(lines.join('\n'))).toEqual([
      // The receipt's own text, duplicate keys and all: the SDK judges it.
      { line: 1, text: '{"b":2,"b":3}' },
      { line: 2, text: '{"a":1}' },
      { line: 3, problem: 'a receipt trail line whose receipt is neither JSON nor a base64 header value' },
      { line: 4, problem: 'a receipt trail line of format 2 (this CLI reads format 1)' },
      { line: 5, problem: 'a receipt trail line that is not JSON' },
      { line: 6, problem: 'a receipt trail line inside a receipt trail line' },
      { line: 7, text: '{"d":1}' },
    ]);
  });

  it('byte-order marks: UTF-8 skipped, UTF-16 (PowerShell 5 redirection) read as the same text', async () => {
    const text = '{"a":1}\r\n{"a":"é"}\r\n';
    const utf8 = await records(text);
    expect(await sameEveryWay(Uint8Array.from([0xef, 0xbb, 0xbf, ...encoder.encode(text)]))).toEqual(utf8);
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    expect((await sameEveryWay(le)).map((r) => ({ ...r, text: r.text && Buffer.from(r.text, 'latin1').toString('utf8') }))).toEqual(
      utf8.map((r) => ({ ...r, text: r.text && Buffer.from(r.text, 'latin1').toString('utf8') })),
    );
  });

  it('a line over the limit says so, whatever its first byte, and nothing else is lost', async () => {
    const long = `{"a":"${'x'.repeat(MAX_LINE_BYTES)}"}`;
    const message = `longer than ${MAX_LINE_BYTES} bytes, the longest receipt line read: not read`;
    expect(await records(`${long}\n{"a":1}\n`)).toEqual([{ line: 1, problem: message }, { line: 2, text: '{"a":1}' }]);
    expect(await records(`{"a":1}\n${long}\n{"a":2}`, 4096)).toEqual([{ line: 1, text: '{"a":1}' }, { line: 2, problem: message }, { line: 3, text: '{"a":2}' }]);
    expect(await records(`[${long}, {"a":1}]`, 4096)).toEqual([{ line: 1, element: 1, problem: message }, { line: 1, element: 2, text: '{"a":1}' }]);
  });

  it('a 50 MB single line streams through once, holding at most the limit: no rescans, no runaway memory', async () => {
    const size = 50 << 20;
    const chunk = encoder.encode('x'.repeat(1 << 16));
    for (const first of ['{"a":"', '[{"a":"', 'zzzz']) {
      const stats: ParseStats = { scanned: 0, maxHeld: 0 };
      async function* stream(): AsyncGenerator<Uint8Array> {
        yield encoder.encode(first);
        for (let sent = 0; sent < size; sent += chunk.length) yield chunk;
        yield encoder.encode(first.startsWith('[') ? '"}]\n{"a":1}\n' : '"}\n{"a":1}\n');
      }
      const out: Seen[] = [];
      for await (const r of receiptRecords('big', stream(), { stats })) out.push(seen(r));
      expect(out.length, first).toBe(2);
      expect(out[0]!.problem, first).toMatch(/^longer than/);
      expect(out[1], first).toEqual({ line: 2, text: '{"a":1}' });
      // Each byte is searched for line ends about once (twice at most for the look-ahead).
      expect(stats.scanned, first).toBeLessThan(2 * size + (2 << 20));
      expect(stats.maxHeld, first).toBeLessThanOrEqual(MAX_LINE_BYTES);
    }
  });

  it('splitJsonArray (receipts log pages) keeps each element as its exact text', () => {
    expect(splitJsonArray('[ {"a":"x,]}","b":[1,2]} ,\n{"a":"\\"q\\""} ]', 'f')).toEqual(['{"a":"x,]}","b":[1,2]}', '{"a":"\\"q\\""}']);
    expect(splitJsonArray('[]', 'f')).toEqual([]);
    expect(() => splitJsonArray('[{"a":1}', 'f')).toThrow(UsageError);
  });

  it('shards: i/n parsing and a stable assignment', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, total: 4 });
    for (const bad of ['0/2', '3/2', '1/0', 'a/b', '1']) expect(() => parseShard(bad)).toThrow(UsageError);
    expect(shardOf('tok_abc', 4)).toBe(shardOf('tok_abc', 4));
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 400; i++) counts[shardOf(`tok_${i}`, 4) - 1]! += 1;
    expect(Math.min(...counts)).toBeGreaterThan(50);
  });
});
