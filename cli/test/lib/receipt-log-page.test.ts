// A receipt-log page is read from its text, so each receipt is kept as the gateway wrote it.
import { describe, expect, it } from 'vitest';
import { CliError } from '../../src/lib/errors.js';
import { oneLine, readLogPage } from '../../src/lib/receipt-log-page.js';

describe('reading a receipt-log page from its text', () => {
  it('keeps each receipt as written (duplicate keys, escapes, spaces in strings), one per line', () => {
    const text = `{
  "data": [
    { "amount": "1", "amount": "2", "seller": "a b \\" c" },
    {"path":"/x\\u0041"}
  ],
  "cursor": "c1", "has_more": true, "head": { "tree_size": 2 }
}`;
    expect(readLogPage(text)).toEqual({
      receipts: ['{"amount":"1","amount":"2","seller":"a b \\" c"}', '{"path":"/x\\u0041"}'],
      head: { tree_size: 2 },
      cursor: 'c1',
      hasMore: true,
    });
    expect(oneLine('[ "\\\\" , "x y" ]')).toBe('["\\\\","x y"]');
  });

  it('refuses a page without data, cursor or has_more, or that is not JSON', () => {
    for (const bad of ['{"data":[],"cursor":null}', '{"data":{},"cursor":null,"has_more":false}', 'nope']) {
      expect(() => readLogPage(bad)).toThrow(CliError);
    }
  });
});
