// Signs a v3 receipt at test time, independently of the SDK (its own JCS and signing text), so
// the bundled verifier is checked against the spec, not against itself. The key never leaves here.
import { generateKeyPairSync, sign } from 'node:crypto';

/** RFC 8785 for the values a receipt holds (strings, safe integers, arrays, objects). */
export function jcs(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(jcs).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${jcs(v)}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new Error('test signer only handles integers');
  return JSON.stringify(value);
}

export interface SignedFixture {
  receipt: Record<string, unknown>;
  keySetDocument: { issuer: string; keys: Record<string, unknown>[] };
}

export function signedV3Receipt(kid = 'pkg-test-key'): SignedFixture {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x;
  const unsigned = {
    receipt_version: 3, kid, request_id: 'req_pkg0001', buyer: 'tok_pkgbuyer', seller: 'sel_pkg',
    listing_id: 'lst_pkg', service: 'weather', method: 'GET', path: '/v1/forecast', amount: '1500',
    currency: 'USD', timestamp: '2026-11-25T12:00:00.000Z', request_sha256: 'a'.repeat(64),
    response_sha256: 'b'.repeat(64), shield: { mode: 'monitor', score_bp: 120, flags: [], action: 'allowed' },
    seq: 1, prev: '0'.repeat(64),
  };
  const signature = sign(null, Buffer.from(`proxygate-receipt-v3\n${jcs(unsigned)}`, 'utf8'), privateKey).toString('base64');
  return {
    receipt: { ...unsigned, signature },
    keySetDocument: {
      issuer: 'https://gateway.test',
      keys: [{ kid, kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', x, not_before: '2026-01-01T00:00:00.000Z', not_after: null, status: 'active' }],
    },
  };
}
