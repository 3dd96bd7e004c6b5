import { describe, expect, it } from 'vitest';
import { parseShard, shardOf, splitJsonArray, splitReceipts } from '../src/lib/receipt-input.js';
import { UsageError } from '../src/lib/errors.js';

describe('receipt input forms', () => {
  it('keeps each array element as its exact source text, brackets and commas inside strings included', () => {
    const text = '[ {"a":"x,]}","b":[1,2]} ,\n{"a":"\\"q\\""} ]';
    expect(splitJsonArray(text, 'f')).toEqual(['{"a":"x,]}","b":[1,2]}', '{"a":"\\"q\\""}']);
    expect(splitJsonArray('[]', 'f')).toEqual([]);
    expect(splitJsonArray('[ 1 , [2,3] ,{"k":"]"}, ]', 'f')).toEqual(['1', '[2,3]', '{"k":"]"}', '']);
    expect(() => splitJsonArray('[{"a":1}', 'f')).toThrow(UsageError);
  });

  it('reads JSON Lines (CRLF, blank lines) with line numbers, one object, log pages and base64 values', () => {
    expect(splitReceipts('{"a":1}\r\n\r\n{"a":2}\n', 'r.jsonl')).toEqual([
      { locator: 'r.jsonl:1', text: '{"a":1}' },
      { locator: 'r.jsonl:3', text: '{"a":2}' },
    ]);
    expect(splitReceipts('{\n  "a": 1\n}\n', 'one.json')).toEqual([{ locator: 'one.json', text: '{\n  "a": 1\n}' }]);
    expect(splitReceipts('{"data":[{"a":1},{"a":2}],"cursor":null,"has_more":false,"head":{}}', 'page.json').map((i) => i.text)).toEqual([
      '{"a":1}',
      '{"a":2}',
    ]);
    const b64 = Buffer.from('{"a":1}').toString('base64');
    expect(splitReceipts(`${b64}\n`, 'h.txt')).toEqual([{ locator: 'h.txt', text: '{"a":1}' }]);
    expect(splitReceipts('  \n', 'empty')).toEqual([]);
    expect(() => splitReceipts('not receipts at all!', 'x')).toThrow(UsageError);
  });

  it('takes a log page\'s own top-level data, never a nested one, and refuses duplicate data members', () => {
    // A nested "data" first in the text must not hide the page's receipts (it made verify say 0 valid, 0 invalid).
    const hiding = '{"meta":{"data":[], "note":"data"},"data" :\n [{"a":"]"},{"a":2}],"head":{"data":[]}}';
    expect(splitReceipts(hiding, 'page.json').map((i) => i.text)).toEqual(['{"a":"]"}', '{"a":2}']);
    expect(splitReceipts('{"d\\u0061ta":[{"a":1}],"x":"\\"data\\":[]"}', 'page.json').map((i) => i.text)).toEqual(['{"a":1}']);
    expect(() => splitReceipts('{"data":[],"data":[{"a":1}]}', 'page.json')).toThrow(/2 "data" members/);
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
