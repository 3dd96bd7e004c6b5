// The line `call --receipts` keeps for a receipt: its JSON text as received, on one line.
import { describe, expect, it } from 'vitest';
import { receiptLine } from '../../src/lib/receipt-file.js';

describe('receipts kept by call --receipts', () => {
  const json = '{"request_id":"r","buyer":"b","seller":"s","amount":1050,"timestamp":1700000000,"signature":"c2ln"}';
  it('a base64 header is decoded to its JSON text, unchanged (integers, key order, duplicates)', () => {
    expect(receiptLine(Buffer.from(json).toString('base64'))).toBe(json);
    const duplicated = '{"amount":1,"amount":2}';
    expect(receiptLine(Buffer.from(duplicated).toString('base64'))).toBe(duplicated);
    expect(receiptLine(json)).toBe(json);
  });
  it('a receipt spanning lines becomes one line (whitespace outside strings only)', () => {
    expect(receiptLine('{\n  "a": "x y",\n  "b": 1\n}')).toBe('{"a":"x y","b":1}');
  });
  it('anything that is not a JSON object is kept, wrapped, never dropped', () => {
    for (const raw of ['not*a*receipt', Buffer.from('[1,2]').toString('base64'), Buffer.from([0xff, 0xfe, 0x00]).toString('base64'), '{broken']) {
      expect(JSON.parse(receiptLine(raw))).toEqual({ unparsed_receipt: raw });
      expect(receiptLine(raw)).not.toContain('\n');
    }
  });
});
