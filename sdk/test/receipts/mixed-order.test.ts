import { createHash, randomBytes } from 'node:crypto';
import { Point } from '@noble/ed25519';
import { describe, expect, it } from 'vitest';
import { KeySet, KeySetError, resolveBackend } from '../../src/receipts/index.js';
import { publicKeyProblem } from '../../src/receipts/public-key.js';
import { toBase64Url } from '../../src/receipts/encoding.js';

const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const le = (bytes: Uint8Array) => bytes.reduceRight((acc, b) => (acc << 8n) | BigInt(b), 0n);
const toLe = (n: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
// A point of order 8 (the torsion subgroup of edwards25519).
const T8 = Point.fromBytes(Uint8Array.from(Buffer.from('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', 'hex')));

/**
 * A signature that holds under the cofactored equation ([8]SB = [8]R + [8]kA') but not the
 * cofactorless one, for a mixed-order key A' = A + T: the kind of key OpenSSL imports silently.
 */
function mixedOrderCase() {
  for (;;) {
    const a = le(randomBytes(32)) % L;
    const A2 = Point.BASE.multiply(a).add(T8).toBytes();
    const r = le(randomBytes(32)) % L;
    const R = Point.BASE.multiply(r).toBytes();
    const message = randomBytes(16);
    const k = le(createHash('sha512').update(Buffer.concat([R, A2, message])).digest()) % L;
    if (k % 8n === 0n) continue; // then kT = 0 and both equations hold
    const signature = new Uint8Array([...R, ...toLe((r + k * a) % L)]);
    return { publicKey: A2, message: new Uint8Array(message), signature };
  }
}

describe('mixed-order public keys (why keys are validated at load)', () => {
  it('node:crypto and noble disagree on them when the key is not validated', async () => {
    const node = await resolveBackend('node');
    const noble = await resolveBackend('noble');
    const c = mixedOrderCase();
    expect(await node.verify(c.publicKey, c.message, c.signature)).toBe(false);
    expect(await noble.verify(c.publicKey, c.message, c.signature)).toBe(true);
  });

  it('KeySet refuses such a key, so every backend sees only keys they agree on', () => {
    const c = mixedOrderCase();
    expect(publicKeyProblem(c.publicKey)).toMatch(/torsion/);
    expect(() => KeySet.fromKeys([{ kid: 'm', publicKey: toBase64Url(c.publicKey), encoding: 'base64url' }])).toThrow(KeySetError);
  });
});
