import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveBackend, type Ed25519Backend } from '../../src/receipts/index.js';
import { createWebCryptoBackend } from '../../src/receipts/backends.js';
import { nodeCryptoBackend } from '../../src/receipts/node.js';
import { publicKeyProblem } from '../../src/receipts/public-key.js';
import { fromHex } from '../../src/receipts/encoding.js';

interface WycheproofTest { tcId: number; comment: string; msg: string; sig: string; result: 'valid' | 'invalid'; flags: string[] }
interface WycheproofFile { numberOfTests: number; testGroups: { publicKey: { pk: string }; tests: WycheproofTest[] }[] }

const wycheproof = JSON.parse(
  readFileSync(new URL('../fixtures/receipts/wycheproof-ed25519_test.json', import.meta.url), 'utf8'),
) as WycheproofFile;
const cases = wycheproof.testGroups.flatMap((g) => g.tests.map((t) => ({ pk: g.publicKey.pk, ...t })));

// RFC 8032 §7.1 TEST 1, 2, 3 and SHA(abc): public key, message, signature.
const rfc8032 = [
  ['d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', '',
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'],
  ['3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c', '72',
    '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00'],
  ['fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025', 'af82',
    '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a'],
  ['ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf',
    'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    'dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704'],
] as const;

/** What the SDK does with a key: validate it once (as a KeySet load does), then verify. */
async function accepts(backend: Ed25519Backend, pkHex: string, msgHex: string, sigHex: string): Promise<boolean> {
  const pk = fromHex(pkHex)!;
  if (publicKeyProblem(pk)) return false;
  const sig = fromHex(sigHex)!;
  return backend.verify(pk, fromHex(msgHex)!, sig);
}

const backends: [string, () => Promise<Ed25519Backend>][] = [
  ['node', () => resolveBackend('node')],
  ['noble', () => resolveBackend('noble')],
  ['webcrypto', async () => createWebCryptoBackend()],
  // The statically bound node:crypto verifier of the Node entry (what the CLI passes).
  ['nodeCryptoBackend', async () => nodeCryptoBackend],
];

describe('Ed25519 backends', () => {
  it('has the 151 Wycheproof vectors', () => {
    expect(cases).toHaveLength(151);
    expect(wycheproof.numberOfTests).toBe(151);
  });

  it('auto picks node:crypto on Node and native resolves to it', async () => {
    expect((await resolveBackend()).name).toBe('node');
    expect((await resolveBackend('native')).name).toBe('node');
  });

  describe.each(backends)('%s', (_name, load) => {
    it('matches every Wycheproof result', async () => {
      const backend = await load();
      const wrong: number[] = [];
      for (const t of cases) {
        if ((await accepts(backend, t.pk, t.msg, t.sig)) !== (t.result === 'valid')) wrong.push(t.tcId);
      }
      expect(wrong).toEqual([]);
    });

    it('accepts the RFC 8032 §7.1 vectors and rejects them with one bit flipped', async () => {
      const backend = await load();
      for (const [pk, msg, sig] of rfc8032) {
        expect(await accepts(backend, pk, msg, sig)).toBe(true);
        const flipped = (parseInt(sig.slice(0, 2), 16) ^ 1).toString(16).padStart(2, '0') + sig.slice(2);
        expect(await accepts(backend, pk, msg, flipped)).toBe(false);
      }
    });

    it('rejects S >= L and wrong lengths without throwing', async () => {
      const backend = await load();
      const [pk, msg, sig] = rfc8032[0];
      // S + L: the same signature with a non-canonical scalar.
      const L = 2n ** 252n + 27742317777372353535851937790883648493n;
      const sBytes = fromHex(sig.slice(64))!;
      let s = 0n;
      for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(sBytes[i]!);
      let big = s + L;
      const out = new Uint8Array(32);
      for (let i = 0; i < 32; i++) { out[i] = Number(big & 0xffn); big >>= 8n; }
      const nonCanonical = sig.slice(0, 64) + Buffer.from(out).toString('hex');
      expect(await accepts(backend, pk, msg, nonCanonical)).toBe(false);
      expect(await backend.verify(fromHex(pk)!, fromHex(msg)!, fromHex(sig.slice(0, 126))!)).toBe(false);
    });
  });

  it('every backend rejects a mixed-order R (rB + a point of order 8) that noble\'s cofactored check alone accepts', async () => {
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    const le = (b: Uint8Array) => [...b].reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);
    const toLe = (n: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
    const { Point } = await import('@noble/ed25519');
    const { createHash, randomBytes } = await import('node:crypto');
    const order8 = Point.fromBytes(fromHex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05')!);
    const a = le(randomBytes(32)) % L;
    const A = Point.BASE.multiply(a).toBytes();
    const message = new TextEncoder().encode('mixed-order R');
    const r = le(randomBytes(32)) % L;
    const R = Point.BASE.multiply(r).add(order8).toBytes();
    const k = le(createHash('sha512').update(Buffer.concat([R, A, message])).digest()) % L;
    const signature = new Uint8Array([...R, ...toLe((r + k * a) % L)]);
    expect(publicKeyProblem(A)).toBeUndefined();
    // What noble decides without the R check (its cofactored equation holds).
    const { verifyAsync } = await import('@noble/ed25519');
    expect(await verifyAsync(signature, message, A, { zip215: false })).toBe(true);
    for (const [name, load] of backends) expect(await (await load()).verify(A, message, signature), name).toBe(false);
  });

  it('every backend agrees on every Wycheproof vector', async () => {
    const loaded = await Promise.all(backends.map(([, load]) => load()));
    for (const t of cases) {
      const verdicts = await Promise.all(loaded.map((b) => accepts(b, t.pk, t.msg, t.sig)));
      expect(new Set(verdicts).size, `tcId ${t.tcId}`).toBe(1);
    }
  });
});

describe('public key validation', () => {
  it('rejects small-order, non-canonical and wrong-length keys', () => {
    // Identity point (y = 1): small order.
    expect(publicKeyProblem(fromHex('01' + '00'.repeat(31))!)).toMatch(/small order/);
    // y = p (non-canonical encoding of 0).
    expect(publicKeyProblem(fromHex('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f')!)).toBeDefined();
    expect(publicKeyProblem(new Uint8Array(31))).toMatch(/32 bytes/);
    expect(publicKeyProblem(fromHex(rfc8032[0][0])!)).toBeUndefined();
  });

  it('accepts exactly what the four separate checks accept (decode, re-encode, small order, torsion)', async () => {
    const { Point } = await import('@noble/ed25519');
    const { randomBytes } = await import('node:crypto');
    const reference = (bytes: Uint8Array): boolean => {
      try {
        const p = Point.fromBytes(bytes, false);
        return Buffer.from(p.toBytes()).equals(bytes) && !p.isSmallOrder() && p.isTorsionFree();
      } catch {
        return false;
      }
    };
    // Every small-order point (multiples of one of order 8), alone and added to prime-order points.
    const order8 = Point.fromBytes(fromHex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05')!);
    const small = Array.from({ length: 8 }, (_, i) => (i === 0 ? Point.ZERO : order8.multiply(BigInt(i))));
    const candidates: Uint8Array[] = [];
    for (let i = 0; i < 6; i++) {
      const prime = Point.BASE.multiply(BigInt(`0x${randomBytes(31).toString('hex')}`) + 1n);
      for (const t of small) candidates.push(prime.add(t).toBytes());
    }
    for (const t of small) candidates.push(t.toBytes());
    for (let i = 0; i < 64; i++) candidates.push(new Uint8Array(randomBytes(32)));
    // Non-canonical: y >= p, and x = 0 with the sign bit set.
    candidates.push(fromHex('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f')!, fromHex('0100000000000000000000000000000000000000000000000000000000000080')!);
    const disagreements = candidates.filter((c) => (publicKeyProblem(c) === undefined) !== reference(c));
    expect(disagreements.map((c) => Buffer.from(c).toString('hex'))).toEqual([]);
    // The six prime-order points at least (a random string decodes to one about one time in sixteen).
    expect(candidates.filter((c) => publicKeyProblem(c) === undefined).length).toBeGreaterThanOrEqual(6);
  });

  it('rejects a key with a torsion component (valid point, not in the prime-order subgroup)', async () => {
    const { Point } = await import('@noble/ed25519');
    const base = Point.fromBytes(fromHex(rfc8032[0][0])!);
    // A point of order 8 (from the curve's torsion subgroup): 26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05.
    const torsion = Point.fromBytes(fromHex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05')!);
    expect(torsion.isSmallOrder()).toBe(true);
    expect(publicKeyProblem(base.add(torsion).toBytes())).toMatch(/torsion/);
  });
});
