import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { KeySet, ReceiptParseError, parseReceipt, signedBytes, verifyReceipt } from '../../src/receipts/index.js';
import { delegationSignedText, legacySignedText, v3SignedText, v3SignedTextGeneric } from '../../src/receipts/canonical.js';
import { baseV3, docKey, keyDocument, makeKey, signV3 } from './signer.js';

const k1 = makeKey('k1');
const k2 = makeKey('k2');
const keys = KeySet.fromDocument(keyDocument([docKey(k1), docKey(k2)]));
const receipt = signV3(k1, baseV3({ shield: { mode: 'strict', score_bp: 7100, flags: ['prompt_injection'], action: 'blocked' }, seq: 7, prev: 'c'.repeat(64) }));
const text = JSON.stringify(receipt);
const bytes = new TextEncoder().encode(text);

/** Byte ranges of each top-level field's value in `text` (all values are ASCII here). */
function valueSpans(): { field: string; start: number; end: number }[] {
  const spans: { field: string; start: number; end: number }[] = [];
  for (const field of Object.keys(receipt)) {
    const value = JSON.stringify((receipt as unknown as Record<string, unknown>)[field]);
    const start = text.indexOf(`"${field}":`) + field.length + 3;
    expect(text.slice(start, start + value.length)).toBe(value);
    spans.push({ field, start, end: start + value.length });
  }
  return spans;
}

describe('receipt properties', () => {
  it('any single-byte change to a signed field, the kid or the signature is rejected with the right reason', async () => {
    const spans = valueSpans();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...spans), fc.nat(), fc.integer({ min: 1, max: 255 }), fc.constantFrom('node', 'noble') ,
        async (span, offset, xor, backend) => {
          const at = span.start + (offset % (span.end - span.start));
          const mutated = bytes.slice();
          mutated[at] = mutated[at]! ^ xor;
          const verdict = await verifyReceipt(mutated, { keys, backend });
          expect(verdict.valid).toBe(false);
          let parsed;
          try {
            parsed = parseReceipt(mutated);
          } catch (error) {
            expect(error).toBeInstanceOf(ReceiptParseError);
            expect(verdict.reason).toBe((error as ReceiptParseError).reason);
            return;
          }
          if (span.field === 'kid' && parsed.receipt_version === 3 && !keys.get(parsed.kid)) {
            expect(verdict).toMatchObject({ reason: 'unknown_key', field: 'kid' });
          } else {
            expect(verdict).toMatchObject({ reason: 'bad_signature', field: 'signature' });
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('signed bytes are stable under key reordering and whitespace', async () => {
    const original = signedBytes(receipt);
    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray(Object.keys(receipt), { minLength: Object.keys(receipt).length }), fc.constantFrom(0, 1, 2, '\t', ' \n'), async (order, ws) => {
        const reordered = Object.fromEntries(order.map((k) => [k, (receipt as unknown as Record<string, unknown>)[k]]));
        const spaced = JSON.stringify(reordered, null, ws);
        expect(signedBytes(parseReceipt(spaced))).toEqual(original);
        expect((await verifyReceipt(spaced, { keys })).valid).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('the fast v3 signed text equals the generic JCS serializer on arbitrary well-formed receipts', () => {
    const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(
        fc.record({ buyer: text, seller: text, kid: text, listing_id: text, service: text, request_id: text, path: text.map((p) => '/' + p) }),
        fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 10000 }),
        fc.array(text, { maxLength: 4 }),
        (fields, amount, seq, score, flags) => {
          const r = { ...receipt, ...fields, amount: amount.toString(), seq, shield: { ...receipt.shield, score_bp: score, flags } };
          expect(v3SignedText(r)).toBe(v3SignedTextGeneric(r));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('v1/v2 signed texts equal JSON.stringify of the fields in their order, for any strings (lone surrogates too) and integers', () => {
    // Mostly the characters JSON escapes (quote, backslash, controls, surrogate halves), some not.
    const tricky = fc.constantFrom('"', '\\', '\n', '\u0000', '\u001f', '\u007f', '\ud800', '\udfff', '\u2028', 'é', '😀');
    const text = fc.string({ unit: fc.oneof(tricky, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 12 });
    const value = fc.oneof(fc.maxSafeNat(), text);
    fc.assert(
      fc.property(value, text, text, text, value, text, value, value, (amount, buyer, request_id, seller, timestamp, ephemeral_pubkey, not_after, not_before) => {
        const r = { amount, buyer, request_id, seller, timestamp, signature: '' };
        expect(legacySignedText(r)).toBe(JSON.stringify({ amount, buyer, request_id, seller, timestamp }));
        const d = { ephemeral_pubkey, not_after, not_before, purpose: 'proxygate-receipt' as const, receipt_ca_pubkey: '', signature: '' };
        expect(delegationSignedText(d)).toBe(JSON.stringify({ ephemeral_pubkey, not_after, not_before, purpose: 'proxygate-receipt' }));
      }),
      { numRuns: 500 },
    );
  });

  it('the parser throws nothing but ReceiptParseError on arbitrary input', () => {
    const onlyTypedErrors = (input: unknown) => {
      try {
        parseReceipt(input);
      } catch (error) {
        if (!(error instanceof ReceiptParseError)) throw error;
        expect(['malformed', 'unsupported_version']).toContain(error.reason);
      }
    };
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), onlyTypedErrors), { numRuns: 500 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), onlyTypedErrors), { numRuns: 500 });
    fc.assert(fc.property(fc.anything({ withNullPrototype: true, withBigInt: true, withMap: true, withDate: true }), onlyTypedErrors), { numRuns: 500 });
    fc.assert(fc.property(fc.json({ maxDepth: 4 }), onlyTypedErrors), { numRuns: 500 });
    // Valid receipt text with a random splice: the near misses are the interesting cases.
    fc.assert(
      fc.property(fc.nat(text.length), fc.nat(8), fc.string({ unit: 'binary', maxLength: 6 }), (at, cut, insert) => {
        onlyTypedErrors(text.slice(0, at) + insert + text.slice(at + cut));
      }),
      { numRuns: 1000 },
    );
    onlyTypedErrors('['.repeat(100_000));
    onlyTypedErrors('{"a":'.repeat(50_000));
  });
});
