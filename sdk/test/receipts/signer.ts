// Test-only signer: keys are generated at run time and never leave the process.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { canonicalize } from '../../src/receipts/jcs.js';
import { delegationSignedText, legacySignedText, v3SignedText } from '../../src/receipts/canonical.js';
import { toBase58, toBase64, fromBase64Url, toHex } from '../../src/receipts/encoding.js';
import type { ReceiptV1, ReceiptV2, ReceiptV3 } from '../../src/receipts/types.js';
import type { KeySetDocument, KeySetDocumentKey } from '../../src/receipts/key-set.js';
import { createHash } from 'node:crypto';

export interface TestKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: Uint8Array;
  x: string;
}

export function makeKey(kid = 'k1'): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x!;
  return { kid, privateKey, publicKey: fromBase64Url(x)!, x };
}

export function signBytes(key: TestKey, text: string): string {
  return toBase64(new Uint8Array(sign(null, Buffer.from(text, 'utf8'), key.privateKey)));
}

export function docKey(key: TestKey, extra: Partial<KeySetDocumentKey> = {}): KeySetDocumentKey {
  return {
    kid: key.kid, kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', x: key.x,
    not_before: '2026-01-01T00:00:00.000Z', not_after: null, status: 'active', ...extra,
  };
}

export const ZERO = '0'.repeat(64);

export type UnsignedV3 = Omit<ReceiptV3, 'signature' | 'kid'>;

export function baseV3(overrides: Partial<UnsignedV3> = {}): UnsignedV3 {
  return {
    receipt_version: 3,
    request_id: 'req_0001',
    buyer: 'tok_buyer1',
    seller: 'sel_1',
    listing_id: 'lst_weather',
    service: 'weather',
    method: 'GET',
    path: '/v1/forecast',
    amount: '1500',
    currency: 'USD',
    timestamp: '2026-11-25T12:00:00.000Z',
    request_sha256: 'a'.repeat(64),
    response_sha256: 'b'.repeat(64),
    shield: { mode: 'monitor', score_bp: 120, flags: [], action: 'allowed' },
    seq: 1,
    prev: ZERO,
    ...overrides,
  };
}

export function signV3(key: TestKey, unsigned: UnsignedV3): ReceiptV3 {
  const withKid = { ...unsigned, kid: key.kid } as ReceiptV3;
  return { ...withKid, signature: signBytes(key, v3SignedText({ ...withKid, signature: '' })) };
}

export function hashReceipt(r: object): string {
  return createHash('sha256').update(canonicalize(r)).digest('hex');
}

/** A chain of `n` signed v3 receipts for one buyer. */
export function chain(key: TestKey, n: number, buyer = 'tok_buyer1', start = 0): ReceiptV3[] {
  const out: ReceiptV3[] = [];
  let prev = ZERO;
  for (let i = 1; i <= n; i++) {
    const r = signV3(key, baseV3({
      buyer, seq: i, prev, request_id: `req_${buyer}_${start + i}`, amount: String(1000 + i),
      listing_id: i % 2 ? 'lst_weather' : 'lst_news',
      timestamp: new Date(Date.parse('2026-11-25T12:00:00.000Z') + i * 1000).toISOString(),
    }));
    out.push(r);
    prev = hashReceipt(r);
  }
  return out;
}

/** Signs the v1 bytes of `r` (numbers stay numbers); an optional `receipt_version: 1` is kept, unsigned. */
export function signV1(key: TestKey, r: Omit<ReceiptV1, 'signature'>): ReceiptV1 {
  return { ...r, signature: signBytes(key, legacySignedText({ ...r, signature: '' })) };
}

export function signV2(
  ca: TestKey,
  ephemeral: TestKey,
  r: Omit<ReceiptV2, 'signature' | 'delegation' | 'receipt_version'>,
  window: { not_before: number | string; not_after: number | string },
): ReceiptV2 {
  const cert = {
    ephemeral_pubkey: toBase58(ephemeral.publicKey),
    not_before: window.not_before,
    not_after: window.not_after,
    purpose: 'proxygate-receipt' as const,
    receipt_ca_pubkey: toBase58(ca.publicKey),
    signature: '',
  };
  cert.signature = signBytes(ca, delegationSignedText(cert));
  const unsigned = { receipt_version: 2 as const, ...r, delegation: cert, signature: '' };
  return { ...unsigned, signature: signBytes(ephemeral, legacySignedText(unsigned)) };
}

export function keyDocument(keys: KeySetDocumentKey[], pins: { platform?: TestKey; ca?: TestKey } = {}): KeySetDocument {
  const doc: KeySetDocument = { issuer: 'https://gateway.test', keys };
  if (pins.platform) doc.platform_pubkey = toBase58(pins.platform.publicKey);
  if (pins.ca) doc.receipt_ca_pubkey = toBase58(pins.ca.publicKey);
  return doc;
}

export { toHex };

/** RFC 9162 MTH, written as the RFC's recursive definition (an independent check of merkleRoot). */
export function referenceRoot(leafInputs: Buffer[]): Buffer {
  const h = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
  const mth = (d: Buffer[]): Buffer => {
    if (d.length === 0) return h();
    if (d.length === 1) return h(Buffer.from([0]), d[0]!);
    let k = 1;
    while (k * 2 < d.length) k *= 2;
    return h(Buffer.from([1]), mth(d.slice(0, k)), mth(d.slice(k)));
  };
  return mth(leafInputs);
}

/** A signed log head over the first `treeSize` receipts of a chain. */
export function signHead(key: TestKey, receipts: object[], treeSize = receipts.length, origin = 'gateway.test/receipts/tok_buyer1', timestamp = '2026-11-25T13:00:00.000Z') {
  const root = referenceRoot(receipts.slice(0, treeSize).map((r) => Buffer.from(canonicalize(r), 'utf8'))).toString('base64');
  const body = `${origin}\n${treeSize}\n${root}\n${timestamp}\n`;
  const keyHash = createHash('sha256').update(Buffer.concat([Buffer.from(key.kid + '\n'), Buffer.from([1]), Buffer.from(key.publicKey)])).digest().subarray(0, 4);
  const sig = sign(null, Buffer.from(body), key.privateKey);
  const checkpoint = `${body}\n\u2014 ${key.kid} ${Buffer.concat([keyHash, sig]).toString('base64')}\n`;
  return { origin, tree_size: treeSize, root_hash: root, timestamp, kid: key.kid, checkpoint };
}
