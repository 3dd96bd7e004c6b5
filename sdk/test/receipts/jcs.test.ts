import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalize } from '../../src/receipts/index.js';
import { parseStrictJson } from '../../src/receipts/strict-json.js';

function fromIeeeHex(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt('0x' + hex));
  return view.getFloat64(0);
}

describe('canonicalize (RFC 8785 JCS)', () => {
  it('matches the §3.2.2 example (numbers, string escapes, literals)', () => {
    // JSON.parse here: the example has fractions, which the strict receipt reader refuses on purpose.
    const input = JSON.parse(String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`);
    expect(canonicalize(input)).toBe(
      String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
    );
  });

  it('sorts keys by UTF-16 code units (§3.2.3)', () => {
    const input = JSON.parse(String.raw`{
      "\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }`);
    // (Object.keys would put the integer-like "1" first, so the order is read from the text.)
    expect(canonicalize(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","ö":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it.each([
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ])('serializes IEEE 754 %s as %s (Appendix B)', (hex, expected) => {
    expect(canonicalize(fromIeeeHex(hex))).toBe(expected);
  });

  it('refuses NaN, Infinity, bigint and lone surrogates', () => {
    expect(() => canonicalize(fromIeeeHex('7fffffffffffffff'))).toThrow(TypeError);
    expect(() => canonicalize(fromIeeeHex('7ff0000000000000'))).toThrow(TypeError);
    expect(() => canonicalize(1n)).toThrow(TypeError);
    expect(() => canonicalize({ a: '\ud800' })).toThrow(TypeError);
    expect(() => canonicalize({ '\udc00': 1 })).toThrow(TypeError);
  });

  it('is stable under key reordering and whitespace', () => {
    const jsonValue = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.integer(), fc.string(), fc.array(tie('value'), { maxLength: 4 }), tie('object')),
      object: fc.dictionary(fc.string(), tie('value'), { maxKeys: 5 }),
    })).value;
    fc.assert(
      fc.property(jsonValue, fc.nat(), fc.constantFrom('', ' ', '\n', '\t ', '\r\n  '), (value, seed, ws) => {
        const shuffled = reorder(value, seed);
        const spaced = JSON.stringify(shuffled, null, ws.length ? ws : undefined);
        const reparsed = parseStrictJson(spaced);
        expect(canonicalize(reparsed)).toBe(canonicalize(value));
        // JCS output is itself valid JSON that canonicalizes to itself.
        expect(canonicalize(parseStrictJson(canonicalize(value)))).toBe(canonicalize(value));
      }),
    );
  });
});

/** Rebuilds objects with their keys in a seed-dependent order. */
function reorder(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v, i) => reorder(v, seed + i));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const rotated = entries.length ? [...entries.slice(seed % entries.length), ...entries.slice(0, seed % entries.length)].reverse() : [];
  const out: Record<string, unknown> = {};
  for (const [k, v] of rotated) Object.defineProperty(out, k, { value: reorder(v, seed * 31 + 7), enumerable: true, writable: true, configurable: true });
  return out;
}
