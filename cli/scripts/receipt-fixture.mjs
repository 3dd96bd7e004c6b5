// One v3 receipt signed by a key made on the spot, and the key set that verifies it: what the
// start-up tests use and what bench/cli-startup.mjs times.
import crypto from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalize } from '@proxygate-kit/sdk/receipts';

/** Writes `keys.json` and `receipt.json` into `dir` and returns their paths. */
export function writeReceiptFixture(dir) {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x;
  const keys = {
    issuer: 'fixture',
    keys: [{ kid: 'fixture-1', kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', x, not_before: '2026-01-01T00:00:00.000Z', not_after: null, status: 'active' }],
  };
  const unsigned = {
    receipt_version: 3, kid: 'fixture-1', request_id: 'req_fixture0001', buyer: 'tok_fixture', seller: 'sel_fixture',
    listing_id: 'lst_fixture', service: 'weather', method: 'GET', path: '/v1/current', amount: '1500', currency: 'USD',
    timestamp: '2026-11-25T12:00:00.000Z',
    request_sha256: crypto.createHash('sha256').update('q').digest('hex'),
    response_sha256: crypto.createHash('sha256').update('r').digest('hex'),
    shield: { mode: 'monitor', score_bp: 0, flags: [], action: 'allowed' },
    seq: 1, prev: '0'.repeat(64),
  };
  const signature = crypto.sign(null, Buffer.from(`proxygate-receipt-v3\n${canonicalize(unsigned)}`), privateKey).toString('base64');
  const paths = { keys: join(dir, 'keys.json'), receipt: join(dir, 'receipt.json') };
  writeFileSync(paths.keys, JSON.stringify(keys));
  writeFileSync(paths.receipt, JSON.stringify({ ...unsigned, signature }));
  return paths;
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58(bytes) {
  let n = BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
  let out = '';
  while (n > 0n) {
    out = BASE58[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const byte of bytes) {
    if (byte !== 0) break;
    out = `1${out}`;
  }
  return out;
}

/**
 * One v1 receipt as the public gateway emits it (integer `amount` and Unix-seconds `timestamp`,
 * signed over the compact JSON of the five fields), and the base58 platform key of its `/health`.
 * Writes `receipt-v1.json` into `dir`.
 */
export function writeV1ReceiptFixture(dir) {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  const platformPubkey = base58(Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url'));
  const fields = { amount: 1050, buyer: base58(crypto.randomBytes(32)), request_id: crypto.randomUUID(), seller: base58(crypto.randomBytes(32)), timestamp: 1700000000 };
  const signature = crypto.sign(null, Buffer.from(JSON.stringify(fields)), privateKey).toString('base64');
  const receipt = join(dir, 'receipt-v1.json');
  writeFileSync(receipt, JSON.stringify({ request_id: fields.request_id, buyer: fields.buyer, seller: fields.seller, amount: fields.amount, timestamp: fields.timestamp, signature }));
  return { receipt, platformPubkey, requestId: fields.request_id };
}
