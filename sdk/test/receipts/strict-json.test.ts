import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ReceiptParseError } from '../../src/receipts/index.js';
import { decodeUtf8, parseStrictJson } from '../../src/receipts/strict-json.js';

const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
const integerJson = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.maxSafeInteger(), fc.string({ unit: 'grapheme' }), fc.array(tie('value'), { maxLength: 4 }), tie('object')),
  object: fc.dictionary(fc.string({ unit: 'grapheme' }), tie('value'), { maxKeys: 4 }),
})).value;

describe('strict JSON reader', () => {
  it('reads what JSON.stringify writes (integers only), to the same value', () => {
    fc.assert(fc.property(integerJson, fc.constantFrom(undefined, 2), (value, indent) => {
      expect(plain(parseStrictJson(JSON.stringify(value, null, indent)))).toEqual(plain(value));
    }), { numRuns: 500 });
  });

  it('never accepts text that JSON.parse rejects, and agrees on the value when it accepts', () => {
    const alphabet = fc.constantFrom(...'{}[]",:0123456789-+.eE tfnrulasx\\/u\n'.split(''));
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 30 }).map((cs) => cs.join('')), (text) => {
      let ours: unknown;
      try {
        ours = parseStrictJson(text);
      } catch (error) {
        expect(error).toBeInstanceOf(ReceiptParseError);
        return;
      }
      expect(plain(ours)).toEqual(JSON.parse(text));
    }), { numRuns: 3000 });
  });

  it.each([
    ['{"a":1,"a":1}', 'a'],
    ['{"a":{"b":1,"b":2}}', 'a.b'],
    ['[1,{"x":1.5}]', '[1].x'],
    ['{"n":1e3}', 'n'],
    ['{"n":9007199254740992}', 'n'],
    ['{"n":-0}', 'n'],
    ['{"s":"\\ud800"}', 's'],
    ['{"s":"\\udc00\\ud800"}', 's'],
    ['{"n":NaN}', 'n'],
    ['{"n":Infinity}', 'n'],
    ['{"n":01}', 'n'],
    ['{"s":"a\tb"}', 's'],
    ['\ufeff{}', ''],
    ['{} x', ''],
  ])('rejects %s at %s', (text, field) => {
    let error: unknown;
    try {
      parseStrictJson(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ReceiptParseError);
    expect((error as ReceiptParseError).field).toBe(field);
  });

  it('keeps surrogate pairs, and __proto__ is an ordinary key', () => {
    expect(parseStrictJson('"\\ud83d\\ude00😀"')).toBe('😀😀');
    const v = parseStrictJson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('decodes UTF-8 strictly (overlong, truncated and lone-surrogate encodings are malformed)', () => {
    for (const bytes of [[0xc0, 0xaf], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xff]]) {
      expect(() => decodeUtf8(new Uint8Array(bytes))).toThrow(ReceiptParseError);
    }
    expect(decodeUtf8(new Uint8Array([0xef, 0xbf, 0xbd]))).toBe('\ufffd');
  });
});
