import { describe, expect, it } from 'vitest';
import { KeySet, KeySetError, type KeySetDocumentKey } from '../../src/receipts/index.js';
import { toBase58, toBase64, toBase64Url, fromHex } from '../../src/receipts/encoding.js';
import { docKey, keyDocument, makeKey } from './signer.js';

const a = makeKey('a');
const b = makeKey('b');
const platform = makeKey('p');
const ca = makeKey('ca');

describe('KeySet', () => {
  it('loads the well-known document (object, text or bytes) and round-trips through toJSON', () => {
    const doc = keyDocument([docKey(a), docKey(b, { status: 'revoked', revoked_at: '2026-09-01T00:00:00.000Z', not_after: '2027-01-01T00:00:00.000Z' })], { platform, ca });
    const set = KeySet.fromDocument(JSON.stringify(doc));
    expect(set.kids).toEqual(['a', 'b']);
    expect(set.toJSON()).toEqual(doc);
    expect(KeySet.fromDocument(set.toJSON()).toJSON()).toEqual(doc);
    expect(KeySet.fromDocument(new TextEncoder().encode(JSON.stringify(doc))).toJSON()).toEqual(doc);
    expect(set.platformKey).toEqual(platform.publicKey);
    expect(set.caKey).toEqual(ca.publicKey);
  });

  it('builds from raw keys in base58, base64 and base64url', () => {
    const set = KeySet.fromKeys([
      { kid: 'a', publicKey: toBase58(a.publicKey), encoding: 'base58', not_before: '2026-01-01T00:00:00.000Z' },
      { kid: 'b', publicKey: toBase64(b.publicKey) },
      { kid: 'c', publicKey: toBase64Url(platform.publicKey), encoding: 'base64url', status: 'retired', not_after: '2026-12-31T00:00:00.000Z' },
      { kid: 'd', publicKey: ca.publicKey },
    ]);
    expect(set.get('a')!.publicKey).toEqual(a.publicKey);
    expect(set.get('b')!.publicKey).toEqual(b.publicKey);
    expect(set.get('c')!.document).toMatchObject({ x: platform.x, status: 'retired', not_after: '2026-12-31T00:00:00.000Z' });
    expect(set.get('d')!.document.not_before).toBe('1970-01-01T00:00:00.000Z');
    expect(KeySet.fromDocument(set.toJSON()).toJSON()).toEqual(set.toJSON());
  });

  it('refuses weak, non-canonical or mislabelled keys at load, naming the entry', () => {
    const load = (x: string) => () => KeySet.fromDocument({ keys: [{ ...docKey(a), x }] });
    // Identity point: small order.
    expect(load(toBase64Url(fromHex('01' + '00'.repeat(31))!))).toThrow(/small order/);
    // y = p: a non-canonical encoding.
    expect(load(toBase64Url(fromHex('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f')!))).toThrow(KeySetError);
    // 31 bytes.
    expect(load(toBase64Url(a.publicKey.slice(1)))).toThrow(/32 bytes/);
    // base64url with padding / non-zero trailing bits is not strict.
    expect(load(a.x + '=')).toThrow(/keys\[0\]\.x/);
    // Set a padding bit of the last character's 6-bit value (flipping its char code's low bit
    // only changed the text for 3 of the 16 possible last characters, so the check mostly skipped).
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const lastBitsSet = a.x.slice(0, -1) + alphabet[alphabet.indexOf(a.x.at(-1)!) | 1];
    expect(lastBitsSet).not.toBe(a.x);
    expect(load(lastBitsSet)).toThrow(KeySetError);
    expect(() => KeySet.fromDocument({ keys: [{ ...docKey(a), crv: 'X25519' as 'Ed25519' }] })).toThrow(/crv/);
    expect(() => KeySet.fromDocument({ keys: [docKey(a), docKey(a)] })).toThrow(/duplicate kid/);
    expect(() => KeySet.fromDocument('{"keys":[],"keys":[]}')).toThrow(KeySetError);
    expect(() => KeySet.fromDocument({ keys: [], platform_pubkey: '0OIl' })).toThrow(/platform_pubkey/);
    expect(() => KeySet.fromKeys([{ kid: 'z', publicKey: toBase58(a.publicKey).replace(/[-_0OIl+/=]/g, '') || 'abc' }])).toThrow(KeySetError);
  });

  it('text that is not JSON blames the document (field ""), named once', () => {
    const error = (() => {
      try {
        KeySet.fromDocument('{"bad":');
      } catch (e) {
        return e;
      }
    })() as KeySetError;
    expect(error).toBeInstanceOf(KeySetError);
    expect(error.code).toBe('malformed_key_set');
    expect(error.field).toBe('');
    expect(error.message).toBe('not valid JSON: unexpected end of input (at offset 7)');
  });

  it('reads an absent not_after as open-ended', () => {
    const { not_after: _omit, ...open } = docKey(a);
    const set = KeySet.fromDocument({ keys: [open as unknown as KeySetDocumentKey] });
    expect(set.get('a')!.notAfter).toBeNull();
    expect(set.toJSON().keys[0]!.not_after).toBeNull();
  });

  it('judges keys at a given time', () => {
    const set = KeySet.fromDocument(keyDocument([docKey(a, { not_after: '2026-06-01T00:00:00.000Z' })]));
    expect(set.judge('a', Date.parse('2026-05-31T23:59:59.999Z')).ok).toBe(true);
    expect(set.judge('a', Date.parse('2026-06-01T00:00:00.001Z'))).toMatchObject({ ok: false, reason: 'key_expired' });
    expect(set.judge('a', Date.parse('2025-12-31T00:00:00.000Z'))).toMatchObject({ ok: false, reason: 'key_not_yet_valid' });
    expect(set.judge('nope', 0)).toMatchObject({ ok: false, reason: 'unknown_key' });
  });
});

describe('a store of keys checked before (checkedKeys)', () => {
  it('skips the curve checks for a stored key, checks and adds a new one, and still refuses a bad one', async () => {
    const { Point } = await import('@noble/ed25519');
    const good = makeKey('stored');
    const document = keyDocument([docKey(good)]);
    const stored = new Set<string>();
    const store = { has: (k: string) => stored.has(k), add: (k: string) => void stored.add(k) };
    KeySet.fromDocument(document, { checkedKeys: store });
    expect([...stored]).toEqual([document.keys[0]!.x]);

    // A key with a torsion component fails the checks...
    const order8 = Point.fromBytes(Buffer.from('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', 'hex'));
    const torsioned = Buffer.from(Point.fromBytes(good.publicKey).add(order8).toBytes()).toString('base64url');
    const bad = { ...document, keys: [{ ...document.keys[0]!, x: torsioned }] };
    expect(() => KeySet.fromDocument(bad, { checkedKeys: store })).toThrow(/torsion/);
    expect(stored.has(torsioned)).toBe(false);
    // ...unless the store says it passed before: the store is trusted, as the pinned file is.
    stored.add(torsioned);
    expect(KeySet.fromDocument(bad, { checkedKeys: store }).kids).toEqual([good.kid]);
    // fromKeys checks each key once even though it builds a document key from it.
    let checks = 0;
    KeySet.fromKeys([{ kid: 'raw', publicKey: good.publicKey }], {}, { checkedKeys: { has: () => false, add: () => void checks++ } });
    expect(checks).toBe(1);
  });
});
