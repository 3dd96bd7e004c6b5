import { describe, expect, it } from 'vitest';
import {
  KeySet, decodeReceiptHeader, parseReceipt, receiptHash, requestSha256, responseSha256, verifyReceipt, verifyReceipts,
  ReceiptParseError, type ReceiptV3,
} from '../../src/receipts/index.js';
import { toBase64 } from '../../src/receipts/encoding.js';
import { baseV3, docKey, hashReceipt, keyDocument, makeKey, signV1, signV2, signV3 } from './signer.js';

const k1 = makeKey('k1');
const k2 = makeKey('k2');
const platform = makeKey('platform');
const ca = makeKey('ca');
const ephemeral = makeKey('eph');
const keys = KeySet.fromDocument(keyDocument([docKey(k1), docKey(k2)], { platform, ca }));

const backends = ['node', 'noble', 'webcrypto'] as const;

describe.each(backends)('verifyReceipt v3 (%s backend)', (backend) => {
  const opts = { keys, backend };

  it('accepts a well-signed receipt', async () => {
    const r = signV3(k1, baseV3());
    const verdict = await verifyReceipt(JSON.stringify(r), opts);
    expect(verdict).toMatchObject({ valid: true, reason: 'valid', receipt: r, time: { unit: 'rfc3339', iso: r.timestamp, epochMs: Date.parse(r.timestamp) } });
  });

  it('bad_signature when a signed field changes', async () => {
    const r = { ...signV3(k1, baseV3()), amount: '1501' };
    expect(await verifyReceipt(r, opts)).toMatchObject({ valid: false, reason: 'bad_signature', field: 'signature' });
  });

  it('bad_signature when another known key signed it under this kid', async () => {
    const r = { ...signV3(k2, baseV3()), kid: 'k1' };
    expect((await verifyReceipt(r, opts)).reason).toBe('bad_signature');
  });

  it('unknown_key for a kid outside the pinned set', async () => {
    const r = signV3(makeKey('k9'), baseV3());
    expect(await verifyReceipt(r, opts)).toMatchObject({ valid: false, reason: 'unknown_key', field: 'kid' });
  });
});

describe('verifyReceipt: malformed and unsupported input', () => {
  const opts = { keys };
  const good = signV3(k1, baseV3());

  it('malformed with the failing field for a missing or unknown v3 field', async () => {
    const { seller: _s, ...missing } = good;
    expect(await verifyReceipt(missing, opts)).toMatchObject({ reason: 'malformed', field: 'seller' });
    expect(await verifyReceipt({ ...good, note: 'x' }, opts)).toMatchObject({ reason: 'malformed', field: 'note' });
    expect(await verifyReceipt({ ...good, shield: { ...good.shield, extra: 1 } }, opts)).toMatchObject({ reason: 'malformed', field: 'shield.extra' });
  });

  it('malformed for duplicate JSON keys, even with equal values', async () => {
    const text = JSON.stringify(good).replace('"amount":"1500"', '"amount":"1500","amount":"1500"');
    expect(await verifyReceipt(text, opts)).toMatchObject({ reason: 'malformed', field: 'amount' });
  });

  it('malformed for NaN, floats, -0, lone surrogates and numeric v3 amounts', async () => {
    const text = JSON.stringify(good);
    expect((await verifyReceipt(text.replace('"seq":1', '"seq":NaN'), opts)).reason).toBe('malformed');
    expect(await verifyReceipt(text.replace('"seq":1', '"seq":1.0'), opts)).toMatchObject({ reason: 'malformed', field: 'seq' });
    expect(await verifyReceipt(text.replace('"score_bp":120', '"score_bp":-0'), opts)).toMatchObject({ reason: 'malformed', field: 'shield.score_bp' });
    expect(await verifyReceipt(text.replace('"seller":"sel_1"', '"seller":"\\ud800"'), opts)).toMatchObject({ reason: 'malformed', field: 'seller' });
    expect(await verifyReceipt(text.replace('"amount":"1500"', '"amount":1500'), opts)).toMatchObject({ reason: 'malformed', field: 'amount' });
    expect(await verifyReceipt(text.replace('"amount":"1500"', '"amount":"15.00"'), opts)).toMatchObject({ reason: 'malformed', field: 'amount' });
  });

  it('unsupported_version for an unknown receipt_version', async () => {
    expect(await verifyReceipt({ ...good, receipt_version: 4 }, opts)).toMatchObject({ valid: false, reason: 'unsupported_version', field: 'receipt_version' });
  });

  it('amounts beyond 2^53: v3 integer strings verify and keep every digit; v1 numbers beyond 2^53 are malformed', async () => {
    const huge = '123456789012345678901234567890';
    const r = signV3(k1, baseV3({ amount: huge }));
    const verdict = await verifyReceipt(JSON.stringify(r), opts);
    expect(verdict.valid).toBe(true);
    expect((verdict.receipt as ReceiptV3).amount).toBe(huge);
    const v1 = JSON.stringify(signV1(platform, { request_id: 'req_1', buyer: 'b', seller: 's', amount: 1, timestamp: '2026-11-25T12:00:00Z' }));
    expect(await verifyReceipt(v1.replace('"amount":1', '"amount":9007199254740993'), opts)).toMatchObject({ reason: 'malformed', field: 'amount' });
    expect((await verifyReceipt(v1.replace('"amount":1', '"amount":9007199254740991'), opts)).reason).toBe('bad_signature');
  });

  it('never throws for garbage', async () => {
    for (const input of ['', '{', 'null', '[]', '"x"', new Uint8Array([0xff, 0xfe]), '{"receipt_version":"3"}']) {
      expect((await verifyReceipt(input, opts)).valid).toBe(false);
    }
  });
});

describe('key rotation and status, judged at the receipt timestamp', () => {
  const old = makeKey('old');
  const cur = makeKey('cur');
  const bad = makeKey('bad');
  const rotated = KeySet.fromDocument(keyDocument([
    docKey(old, { status: 'retired', not_before: '2026-01-01T00:00:00.000Z', not_after: '2026-06-30T23:59:59.999Z' }),
    docKey(cur, { not_before: '2026-07-01T00:00:00.000Z' }),
    docKey(bad, { status: 'revoked', revoked_at: '2026-09-01T00:00:00.000Z' }),
    docKey(makeKey('gone'), { status: 'revoked' }),
  ]));
  const at = (timestamp: string) => baseV3({ timestamp });

  it('a retired key still verifies receipts signed inside its window', async () => {
    expect((await verifyReceipt(signV3(old, at('2026-03-01T00:00:00.000Z')), { keys: rotated })).reason).toBe('valid');
  });
  it('a key window with a sub-millisecond start or end is exact for millisecond receipt times', async () => {
    const edgy = makeKey('edgy');
    const set = KeySet.fromDocument(keyDocument([docKey(edgy, { not_before: '2026-03-01T12:00:00.0005Z', not_after: '2026-03-02T12:00:00.0009Z' })]));
    expect((await verifyReceipt(signV3(edgy, at('2026-03-01T12:00:00.000Z')), { keys: set })).reason).toBe('key_not_yet_valid');
    expect((await verifyReceipt(signV3(edgy, at('2026-03-01T12:00:00.001Z')), { keys: set })).reason).toBe('valid');
    expect((await verifyReceipt(signV3(edgy, at('2026-03-02T12:00:00.000Z')), { keys: set })).reason).toBe('valid');
    expect((await verifyReceipt(signV3(edgy, at('2026-03-02T12:00:00.001Z')), { keys: set })).reason).toBe('key_expired');
  });
  it('key_expired after not_after, key_not_yet_valid before not_before', async () => {
    expect(await verifyReceipt(signV3(old, at('2026-07-01T00:00:00.000Z')), { keys: rotated })).toMatchObject({ reason: 'key_expired', field: 'timestamp' });
    expect((await verifyReceipt(signV3(cur, at('2026-06-30T00:00:00.000Z')), { keys: rotated })).reason).toBe('key_not_yet_valid');
    expect((await verifyReceipt(signV3(cur, at('2026-07-01T00:00:00.000Z')), { keys: rotated })).reason).toBe('valid');
  });
  it('a revoked key verifies nothing: a receipt dated before revoked_at may be backdated by whoever holds the key', async () => {
    expect((await verifyReceipt(signV3(bad, at('2026-08-31T23:59:59.999Z')), { keys: rotated })).reason).toBe('key_revoked');
    expect((await verifyReceipt(signV3(bad, at('2026-02-01T00:00:00.000Z')), { keys: rotated })).reason).toBe('key_revoked');
    expect((await verifyReceipt(signV3(bad, at('2026-09-01T00:00:00.000Z')), { keys: rotated })).reason).toBe('key_revoked');
    const gone = makeKey('gone2');
    const set = KeySet.fromDocument(keyDocument([docKey(gone, { status: 'revoked' })]));
    expect((await verifyReceipt(signV3(gone, at('2026-02-01T00:00:00.000Z')), { keys: set })).reason).toBe('key_revoked');
  });
});

describe('v1 and v2 receipts', () => {
  const v1 = signV1(platform, { request_id: 'req_1', buyer: 'pg_buyer', seller: 'sel_1', amount: 2500, timestamp: '2026-11-25T12:00:00Z' });

  it('v1 verifies against the pinned platform key, byte-exact signed form', async () => {
    expect((await verifyReceipt(JSON.stringify(v1), { keys })).reason).toBe('valid');
    expect((await verifyReceipt({ ...v1, amount: 2501 }, { keys })).reason).toBe('bad_signature');
    // A string amount is signed as a string: the same digits as a number do not verify.
    expect((await verifyReceipt({ ...v1, amount: '2500' }, { keys })).reason).toBe('bad_signature');
    const noPin = KeySet.fromDocument(keyDocument([docKey(k1)]));
    expect((await verifyReceipt(v1, { keys: noPin })).reason).toBe('unknown_key');
  });

  const window = { not_before: '2026-11-25T00:00:00Z', not_after: '2026-11-25T23:59:59Z' };
  const base = { request_id: 'req_2', buyer: 'pg_buyer', seller: 'sel_1', amount: 10, timestamp: '2026-11-25T12:00:00Z' };

  it('v2 verifies inside the delegation window', async () => {
    const r = signV2(ca, ephemeral, base, window);
    expect((await verifyReceipt(JSON.stringify(r), { keys })).reason).toBe('valid');
    expect((await verifyReceipt(r, { keys, backend: 'noble' })).reason).toBe('valid');
  });

  it('v2 outside the window, with a self-made CA, or a forged certificate is delegation_invalid', async () => {
    const late = signV2(ca, ephemeral, { ...base, timestamp: '2026-11-26T00:00:00Z' }, window);
    expect(await verifyReceipt(late, { keys })).toMatchObject({ reason: 'delegation_invalid', field: 'timestamp' });
    const early = signV2(ca, ephemeral, { ...base, timestamp: '2026-11-24T23:59:59Z' }, window);
    expect((await verifyReceipt(early, { keys })).reason).toBe('delegation_invalid');
    const edge = signV2(ca, ephemeral, { ...base, timestamp: window.not_after }, window);
    expect((await verifyReceipt(edge, { keys })).reason).toBe('valid');
    // Nine fractional digits are exact: 0.9 ms past the end is past it (Date.parse would cut it to the end).
    const fine = { not_before: '2026-11-25T00:00:00.000000001Z', not_after: '2026-11-25T12:00:00.000Z' };
    expect((await verifyReceipt(signV2(ca, ephemeral, { ...base, timestamp: '2026-11-25T12:00:00.0009Z' }, fine), { keys })).reason).toBe('delegation_invalid');
    expect((await verifyReceipt(signV2(ca, ephemeral, { ...base, timestamp: '2026-11-25T00:00:00Z' }, fine), { keys })).reason).toBe('delegation_invalid');
    expect((await verifyReceipt(signV2(ca, ephemeral, { ...base, timestamp: '2026-11-25T12:00:00.000000000Z' }, fine), { keys })).reason).toBe('valid');
    const rogue = signV2(makeKey('rogue'), ephemeral, base, window);
    expect(await verifyReceipt(rogue, { keys })).toMatchObject({ reason: 'delegation_invalid', field: 'delegation.receipt_ca_pubkey' });
    const good = signV2(ca, ephemeral, base, window);
    const stretched = { ...good, delegation: { ...good.delegation, not_after: '2027-11-25T23:59:59Z' } };
    expect(await verifyReceipt(stretched, { keys })).toMatchObject({ reason: 'delegation_invalid', field: 'delegation.signature' });
  });

  it('v2 without a pinned CA is unknown_key (an empty pin never passes)', async () => {
    const noCa = KeySet.fromDocument(keyDocument([docKey(k1)], { platform }));
    expect((await verifyReceipt(signV2(ca, ephemeral, base, window), { keys: noCa })).reason).toBe('unknown_key');
  });

  it('v2 with a small-order ephemeral key is delegation_invalid', async () => {
    const r = signV2(ca, ephemeral, base, window);
    const weak = { ...r, delegation: { ...r.delegation, ephemeral_pubkey: '11111111111111111111111111111111' } };
    expect(await verifyReceipt(weak, { keys })).toMatchObject({ reason: 'delegation_invalid', field: 'delegation.ephemeral_pubkey' });
  });
});

describe('content binding', () => {
  const request = { method: 'post', path: '/v1/chat', query: 'listing=lst_1&b=2&a=z%20y&a=x', body: '{"q":"hi"}' };
  const response = new TextEncoder().encode('{"answer":42}');

  it('requestSha256 hashes METHOD, path, the sorted query without listing, and the body', async () => {
    const { createHash } = await import('node:crypto');
    const expected = createHash('sha256').update('POST\n/v1/chat\na=x&a=z%20y&b=2\n{"q":"hi"}').digest('hex');
    expect(await requestSha256(request)).toBe(expected);
    expect(await requestSha256({ ...request, query: { b: '2', a: ['z y', 'x'], listing: 'lst_1' } })).toBe(expected);
    expect(await requestSha256({ method: 'GET', path: '/x', query: { q: "it's (ok)*!" } }))
      .toBe(createHash('sha256').update("GET\n/x\nq=it%27s%20%28ok%29%2A%21\n").digest('hex'));
    expect(await responseSha256(response)).toBe(createHash('sha256').update(response).digest('hex'));
    // Sorted before encoding: "~" (0x7e) sorts before "é" (0xe9) although "%C3%A9" < "~".
    expect(await requestSha256({ method: 'GET', path: '/x', query: [['aé', '1'], ['a~', '2']] }))
      .toBe(createHash('sha256').update('GET\n/x\na~=2&a%C3%A9=1\n').digest('hex'));
  });

  it('content_mismatch when the saved request or response differs', async () => {
    const r = signV3(k1, baseV3({ request_sha256: await requestSha256(request), response_sha256: await responseSha256(response) }));
    expect((await verifyReceipt(r, { keys, content: { request, response } })).reason).toBe('valid');
    expect(await verifyReceipt(r, { keys, content: { request: { ...request, body: '{"q":"ho"}' } } }))
      .toMatchObject({ reason: 'content_mismatch', field: 'request_sha256' });
    expect(await verifyReceipt(r, { keys, content: { response: '{"answer":43}' } }))
      .toMatchObject({ reason: 'content_mismatch', field: 'response_sha256' });
  });
});

describe('headers, hashes, batches', () => {
  const r = signV3(k1, baseV3());

  it('decodes x-proxygate-receipt (base64) and x-receipt (plain JSON)', () => {
    const b64 = toBase64(new TextEncoder().encode(JSON.stringify(r)));
    expect(decodeReceiptHeader(new Headers({ 'x-proxygate-receipt': b64 }))).toEqual(r);
    expect(decodeReceiptHeader({ 'X-Receipt': JSON.stringify(r) })).toEqual(r);
    expect(decodeReceiptHeader(b64)).toEqual(r);
    expect(decodeReceiptHeader(new Headers())).toBeUndefined();
    expect(() => decodeReceiptHeader('!!!')).toThrow(ReceiptParseError);
  });

  it('receiptHash is SHA-256 of the JCS form with the signature (the next prev)', async () => {
    expect(await receiptHash(r)).toBe(hashReceipt(r));
    expect(await receiptHash(parseReceipt(JSON.stringify(r, null, 2)))).toBe(hashReceipt(r));
  });

  it('verifyReceipts keeps input order', async () => {
    const verdicts = await verifyReceipts([r, '{', { ...r, amount: '1' }, signV3(makeKey('zz'), baseV3())], { keys });
    expect(verdicts.map((v) => v.reason)).toEqual(['valid', 'malformed', 'bad_signature', 'unknown_key']);
  });
});
