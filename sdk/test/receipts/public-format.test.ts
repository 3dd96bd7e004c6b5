// Receipts in the form the public gateway emits them (public-gateway.md "Receipts as the public
// gateway emits them"): integer micro-USD amounts, integer timestamps (Unix seconds, or
// milliseconds), an optional `receipt_version: 1`, v2 certificates with integer windows. Signed at
// run time by the test signer; the key set is what the public `/health` gives.
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  KeySet, formatReceiptTime, parseReceipt, receiptTime, signedBytes, verifyReceipt, verifyStream,
  type ReceiptV1, type ReceiptV2,
} from '../../src/receipts/index.js';
import { toBase58 } from '../../src/receipts/encoding.js';
import { makeKey, signV1, signV2 } from './signer.js';

const platform = makeKey('platform');
const ca = makeKey('ca');
const ephemeral = makeKey('eph');
const wallet = () => toBase58(new Uint8Array(randomBytes(32)));
const buyer = wallet();
const seller = wallet();

// `/health` of the public gateway: `platform_pubkey`, and `receipt_ca_pubkey` only sometimes.
const healthOnly = KeySet.fromKeys([], { platformPubkey: toBase58(platform.publicKey) });
const withCa = KeySet.fromKeys([], { platformPubkey: toBase58(platform.publicKey), receiptCaPubkey: toBase58(ca.publicKey) });

const payment = (overrides: Partial<Omit<ReceiptV1, 'signature'>> = {}): Omit<ReceiptV1, 'signature'> => ({
  request_id: randomUUID(), buyer, seller, amount: 1050, timestamp: 1700000000, ...overrides,
});
const text = (r: object) => JSON.stringify(r);

describe('v1 as the public gateway emits it', () => {
  it('verifies with integer amount and timestamp, signed over exactly the integers that came', async () => {
    const r = signV1(platform, payment());
    const expected = `{"amount":1050,"buyer":"${buyer}","request_id":"${r.request_id}","seller":"${seller}","timestamp":1700000000}`;
    expect(new TextDecoder().decode(signedBytes(parseReceipt(text(r))))).toBe(expected);
    const verdict = await verifyReceipt(text(r), { keys: healthOnly });
    expect(verdict).toMatchObject({ valid: true, reason: 'valid', receipt: { amount: 1050, timestamp: 1700000000 } });
    expect(verdict.time).toEqual({ value: 1700000000, unit: 'unix_seconds', epochMs: 1_700_000_000_000, iso: '2023-11-14T22:13:20Z' });
    expect(formatReceiptTime(verdict.time!)).toBe('2023-11-14T22:13:20Z (unix seconds)');
  });

  it('verifies with receipt_version: 1, which the parsed copy keeps', async () => {
    const r = signV1(platform, payment({ receipt_version: 1 }));
    const verdict = await verifyReceipt(text(r), { keys: healthOnly });
    expect(verdict).toMatchObject({ valid: true, receipt: { receipt_version: 1 } });
    expect(verdict.receipt).toEqual(r);
  });

  it('reads a timestamp of 1e11 and above as milliseconds', async () => {
    for (const [timestamp, unit, iso] of [
      [1700000000123, 'unix_milliseconds', '2023-11-14T22:13:20.123Z'],
      [99_999_999_999, 'unix_seconds', '5138-11-16T09:46:39Z'],
      [100_000_000_000, 'unix_milliseconds', '1973-03-03T09:46:40.000Z'],
      [0, 'unix_seconds', '1970-01-01T00:00:00Z'],
    ] as const) {
      const verdict = await verifyReceipt(text(signV1(platform, payment({ timestamp }))), { keys: healthOnly });
      expect(verdict, String(timestamp)).toMatchObject({ valid: true, time: { unit, iso, value: timestamp } });
    }
  });

  it('a changed amount, buyer, seller or timestamp is bad_signature', async () => {
    const r = text(signV1(platform, payment()));
    for (const tampered of [
      r.replace('"amount":1050', '"amount":1051'),
      r.replace(`"buyer":"${buyer}"`, `"buyer":"${wallet()}"`),
      r.replace(`"seller":"${seller}"`, `"seller":"${buyer}"`),
      r.replace('"timestamp":1700000000', '"timestamp":1700000001'),
      r.replace('"timestamp":1700000000', '"timestamp":1700000000000'),
      // The same digits as a string are other bytes.
      r.replace('"amount":1050', '"amount":"1050"'),
    ]) {
      expect(tampered).not.toBe(r);
      expect(await verifyReceipt(tampered, { keys: healthOnly }), tampered).toMatchObject({ valid: false, reason: 'bad_signature', field: 'signature' });
    }
  });

  it('receipt_version 1 turned into 2 without a delegation is malformed', async () => {
    const r = text(signV1(platform, payment({ receipt_version: 1 })));
    expect(await verifyReceipt(r.replace('"receipt_version":1', '"receipt_version":2'), { keys: withCa }))
      .toMatchObject({ valid: false, reason: 'malformed', field: 'delegation' });
  });

  it('numbers that would not be rebuilt byte for byte are malformed: fractions, exponents, -0, beyond 2^53', async () => {
    const r = text(signV1(platform, payment()));
    for (const amount of ['1050.0', '1.05e3', '1050E0', '-0', '9007199254740993', '-5']) {
      const verdict = await verifyReceipt(r.replace('"amount":1050', `"amount":${amount}`), { keys: healthOnly });
      expect(verdict, amount).toMatchObject({ valid: false, reason: 'malformed', field: 'amount' });
    }
    for (const timestamp of ['1700000000.0', '1.7e9', '-0', '-1', '9007199254740993', '8640000000000001']) {
      const verdict = await verifyReceipt(r.replace('"timestamp":1700000000', `"timestamp":${timestamp}`), { keys: healthOnly });
      expect(verdict, timestamp).toMatchObject({ valid: false, reason: 'malformed', field: 'timestamp' });
    }
    expect(await verifyReceipt({ ...parseReceipt(r), amount: 10.5 }, { keys: healthOnly })).toMatchObject({ reason: 'malformed', field: 'amount' });
    expect(await verifyReceipt({ ...parseReceipt(r), timestamp: -0 }, { keys: healthOnly })).toMatchObject({ reason: 'malformed', field: 'timestamp' });
  });

  it('older forms still verify: integer-string amounts, RFC 3339 and digit-string timestamps', async () => {
    for (const [amount, timestamp, iso] of [
      ['1050', '2026-11-25T12:00:00Z', '2026-11-25T12:00:00.000Z'],
      [1050, '1700000000', '2023-11-14T22:13:20Z'],
      [1050, 'Tue, 25 Nov 2026 12:00:00 GMT', undefined],
    ] as const) {
      const verdict = await verifyReceipt(text(signV1(platform, payment({ amount, timestamp }))), { keys: healthOnly });
      expect(verdict, timestamp).toMatchObject({ valid: true, receipt: { amount, timestamp } });
      expect(verdict.time?.iso).toBe(iso);
    }
  });

  it('JSON Lines of integer-form receipts verify in order through verifyStream', async () => {
    const lines = [signV1(platform, payment()), signV1(platform, payment({ receipt_version: 1, timestamp: 1700000000999 }))].map(text);
    lines.push(lines[0]!.replace('"amount":1050', '"amount":1049'));
    const verdicts = [];
    for await (const v of verifyStream([lines.join('\n')], { keys: healthOnly })) verdicts.push(v);
    expect(verdicts.map((v) => [v.reason, v.time?.unit])).toEqual([['valid', 'unix_seconds'], ['valid', 'unix_milliseconds'], ['bad_signature', 'unix_seconds']]);
  });
});

describe('v2 with integer certificate windows', () => {
  const hour = 3600;
  const base = () => ({ request_id: randomUUID(), buyer, seller, amount: 1050, timestamp: 1700000000 });
  const inSeconds = { not_before: 1700000000 - hour, not_after: 1700000000 + hour };
  const inMs = { not_before: inSeconds.not_before * 1000, not_after: inSeconds.not_after * 1000 };

  it('verifies with timestamp and window in seconds, or in milliseconds, for every backend', async () => {
    for (const backend of ['node', 'noble', 'webcrypto'] as const) {
      expect((await verifyReceipt(text(signV2(ca, ephemeral, base(), inSeconds)), { keys: withCa, backend })).reason).toBe('valid');
      const ms = await verifyReceipt(text(signV2(ca, ephemeral, { ...base(), timestamp: 1700000000123 }, inMs)), { keys: withCa, backend });
      expect(ms).toMatchObject({ valid: true, time: { unit: 'unix_milliseconds' } });
    }
  });

  it('the certificate bytes carry the window integers as they came', () => {
    const r = parseReceipt(text(signV2(ca, ephemeral, base(), inSeconds))) as ReceiptV2;
    expect(r.delegation).toMatchObject({ not_before: 1699996400, not_after: 1700003600 });
  });

  it('units mixed between timestamp and window are judged as the instants they name', async () => {
    // Seconds inside a window in milliseconds, and the reverse.
    expect((await verifyReceipt(signV2(ca, ephemeral, base(), inMs), { keys: withCa })).reason).toBe('valid');
    expect((await verifyReceipt(signV2(ca, ephemeral, { ...base(), timestamp: 1700000000500 }, inSeconds), { keys: withCa })).reason).toBe('valid');
    // Window bounds are exact instants: half a second after a whole-second end is after it.
    const end = { not_before: inSeconds.not_before, not_after: 1700000000 };
    expect((await verifyReceipt(signV2(ca, ephemeral, { ...base(), timestamp: 1700000000000 }, end), { keys: withCa })).reason).toBe('valid');
    expect(await verifyReceipt(signV2(ca, ephemeral, { ...base(), timestamp: 1700000000500 }, end), { keys: withCa }))
      .toMatchObject({ reason: 'delegation_invalid', field: 'timestamp' });
    // An RFC 3339 window (older form) around an integer timestamp.
    const rfc = { not_before: '2023-11-14T22:00:00Z', not_after: '2023-11-14T23:00:00Z' };
    expect((await verifyReceipt(signV2(ca, ephemeral, base(), rfc), { keys: withCa })).reason).toBe('valid');
    expect((await verifyReceipt(signV2(ca, ephemeral, { ...base(), timestamp: 1699999000 }, rfc), { keys: withCa })).reason).toBe('delegation_invalid');
  });

  it('a window that excludes the timestamp is delegation_invalid, naming the instants and units', async () => {
    const late = await verifyReceipt(signV2(ca, ephemeral, { ...base(), timestamp: inSeconds.not_after + 1 }, inSeconds), { keys: withCa });
    expect(late).toMatchObject({ valid: false, reason: 'delegation_invalid', field: 'timestamp' });
    expect(late.message).toBe(
      'timestamp 2023-11-14T23:13:21Z (unix seconds) lies outside the certificate window ' +
        '[2023-11-14T21:13:20Z (unix seconds), 2023-11-14T23:13:20Z (unix seconds)]',
    );
    const early = signV2(ca, ephemeral, { ...base(), timestamp: inMs.not_before - 1 }, inMs);
    expect((await verifyReceipt(early, { keys: withCa })).reason).toBe('delegation_invalid');
    const edges = [inSeconds.not_before, inSeconds.not_after].map((timestamp) => signV2(ca, ephemeral, { ...base(), timestamp }, inSeconds));
    for (const r of edges) expect((await verifyReceipt(r, { keys: withCa })).reason).toBe('valid');
  });

  it('a CA other than the pinned one, or a stretched window, is delegation_invalid', async () => {
    const rogue = signV2(makeKey('rogue'), ephemeral, base(), inSeconds);
    expect(await verifyReceipt(text(rogue), { keys: withCa })).toMatchObject({ reason: 'delegation_invalid', field: 'delegation.receipt_ca_pubkey' });
    const good = text(signV2(ca, ephemeral, base(), inSeconds));
    const stretched = good.replace(`"not_after":${inSeconds.not_after}`, `"not_after":${inSeconds.not_after + hour}`);
    expect(await verifyReceipt(stretched, { keys: withCa })).toMatchObject({ reason: 'delegation_invalid', field: 'delegation.signature' });
    const asFloat = good.replace(`"not_after":${inSeconds.not_after}`, `"not_after":${inSeconds.not_after}.0`);
    expect(await verifyReceipt(asFloat, { keys: withCa })).toMatchObject({ reason: 'malformed', field: 'delegation.not_after' });
    const tampered = good.replace('"amount":1050', '"amount":1');
    expect(await verifyReceipt(tampered, { keys: withCa })).toMatchObject({ reason: 'bad_signature', field: 'signature' });
  });

  it('a key set from /health without a CA key verifies v1 and refuses every v2, a self-made CA included', async () => {
    const selfMade = makeKey('self-made');
    const emptyPin = KeySet.fromKeys([], { platformPubkey: toBase58(platform.publicKey), receiptCaPubkey: '' });
    expect(emptyPin.caKey).toBeUndefined();
    for (const keys of [healthOnly, emptyPin, KeySet.fromDocument({ keys: [], platform_pubkey: toBase58(platform.publicKey), receipt_ca_pubkey: '' })]) {
      expect((await verifyReceipt(text(signV1(platform, payment())), { keys })).reason).toBe('valid');
      for (const issuer of [ca, selfMade]) {
        const verdict = await verifyReceipt(text(signV2(issuer, ephemeral, base(), inSeconds)), { keys });
        expect(verdict).toMatchObject({ valid: false, reason: 'unknown_key', field: 'delegation.receipt_ca_pubkey' });
        expect(verdict.message).toMatch(/no receipt_ca_pubkey pinned/);
      }
    }
  });
});

describe('v1 property: a receipt signed over integer fields verifies iff its signed bytes are unchanged', () => {
  const base58 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toBase58);
  const fields = fc.record({
    request_id: fc.uuid(),
    buyer: base58,
    seller: base58,
    amount: fc.maxSafeNat(),
    // Seconds and milliseconds, up to the last date a Date holds.
    timestamp: fc.oneof(fc.integer({ min: 0, max: 99_999_999_999 }), fc.integer({ min: 100_000_000_000, max: 8_640_000_000_000_000 })),
  });

  it('holds for any replacement of any signed field (the same value, another one, or its digits as a string)', async () => {
    await fc.assert(
      fc.asyncProperty(fields, fields, fc.subarray(['request_id', 'buyer', 'seller', 'amount', 'timestamp'] as const), fc.boolean(), fc.boolean(),
        async (original, other, replaced, numbersAsText, versioned) => {
          const signed = signV1(platform, versioned ? { receipt_version: 1, ...original } : original);
          const received: Record<string, unknown> = { ...signed };
          for (const field of replaced) received[field] = other[field];
          if (numbersAsText) received['amount'] = String(received['amount']);
          const verdict = await verifyReceipt(JSON.stringify(received), { keys: healthOnly });
          const unchanged = new TextDecoder().decode(signedBytes(signed)) === new TextDecoder().decode(signedBytes(parseReceipt(received)));
          expect(verdict.valid).toBe(unchanged);
          expect(verdict.reason).toBe(unchanged ? 'valid' : 'bad_signature');
          if (unchanged) expect(receiptTime(verdict.receipt!)?.value).toBe(original.timestamp);
        }),
      { numRuns: 200 },
    );
  });

  it('holds for any single-byte change anywhere in the receipt text', async () => {
    await fc.assert(
      fc.asyncProperty(fields, fc.nat(), fc.integer({ min: 1, max: 255 }), async (original, offset, xor) => {
        const bytes = new TextEncoder().encode(JSON.stringify(signV1(platform, original)));
        const at = offset % bytes.length;
        const mutated = bytes.slice();
        mutated[at] = mutated[at]! ^ xor;
        const verdict = await verifyReceipt(mutated, { keys: healthOnly });
        expect(verdict.valid).toBe(false);
        expect(['malformed', 'bad_signature']).toContain(verdict.reason);
      }),
      { numRuns: 300 },
    );
  });
});
