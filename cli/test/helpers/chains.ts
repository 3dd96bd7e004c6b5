// Chained v3 receipts signed by a key made for the test (and v1 receipts by a platform key), for
// the offline receipt commands: audits, slices and merges, states, downgrades.
import crypto from 'node:crypto';
import { canonicalize } from '@proxygate-kit/sdk/receipts';

const ZERO = '0'.repeat(64);
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58(bytes: Uint8Array): string {
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

export interface ChainKit {
  /** The key-set document (v3 key, and the v1 platform key). */
  keys: { issuer: string; keys: Array<Record<string, unknown>>; platform_pubkey: string };
  /** The next receipt of `buyer`'s chain (seq and prev follow on), as its JSON line. */
  next(buyer: string, amount?: number): string;
  /** A receipt for `buyer` at `seq` with `prev`, signed (a fork when that seq exists). */
  at(buyer: string, seq: number, prev: string, amount?: number): string;
  /** `receiptHash` of a receipt line (what the next receipt's prev must be). */
  hash(line: string): string;
  /** A v1 receipt signed by the platform key. */
  v1(amount?: number): string;
}

export function chainKit(): ChainKit {
  const v3 = crypto.generateKeyPairSync('ed25519');
  const platform = crypto.generateKeyPairSync('ed25519');
  const x = v3.publicKey.export({ format: 'jwk' }).x!;
  const platformPubkey = base58(Buffer.from(platform.publicKey.export({ format: 'jwk' }).x!, 'base64url'));
  const keys = {
    issuer: 'chains',
    keys: [{ kid: 'chains-1', kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', x, not_before: '2026-01-01T00:00:00.000Z', not_after: null, status: 'active' }],
    platform_pubkey: platformPubkey,
  };
  const tails = new Map<string, { seq: number; prev: string }>();
  let n = 0;
  const hash = (line: string) => crypto.createHash('sha256').update(canonicalize(JSON.parse(line))).digest('hex');
  const at = (buyer: string, seq: number, prev: string, amount = 1000 + (n % 97)) => {
    n++;
    const unsigned = {
      receipt_version: 3, kid: 'chains-1', request_id: crypto.randomUUID(), buyer, seller: 'sel_chains', listing_id: 'lst_chains',
      service: 'weather', method: 'GET', path: '/v1/current', amount: String(amount), currency: 'USD',
      timestamp: new Date(Date.parse('2026-11-25T12:00:00.000Z') + n * 1000).toISOString(),
      request_sha256: crypto.createHash('sha256').update(`q${n}`).digest('hex'),
      response_sha256: crypto.createHash('sha256').update(`r${n}`).digest('hex'),
      shield: { mode: 'monitor', score_bp: 0, flags: [], action: 'allowed' },
      seq, prev,
    };
    const signature = crypto.sign(null, Buffer.from(`proxygate-receipt-v3\n${canonicalize(unsigned)}`), v3.privateKey).toString('base64');
    return JSON.stringify({ ...unsigned, signature });
  };
  return {
    keys,
    hash,
    at,
    next(buyer, amount) {
      const tail = tails.get(buyer) ?? { seq: 0, prev: ZERO };
      const line = at(buyer, tail.seq + 1, tail.prev, amount);
      tails.set(buyer, { seq: tail.seq + 1, prev: hash(line) });
      return line;
    },
    v1(amount = 1050) {
      const fields = { amount, buyer: base58(crypto.randomBytes(32)), request_id: crypto.randomUUID(), seller: base58(crypto.randomBytes(32)), timestamp: 1700000000 + n++ };
      const signature = crypto.sign(null, Buffer.from(JSON.stringify(fields)), platform.privateKey).toString('base64');
      return JSON.stringify({ ...fields, signature });
    },
  };
}

/** `count` receipts over `buyers` chains, interleaved (every prefix holds whole chains from seq 1). */
export function interleaved(kit: ChainKit, buyers: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => kit.next(`tok_${String.fromCharCode(97 + (i % buyers))}`));
}

/** A receipt-trail line holding `receipt` (the kept log's form), with a verdict that must not be believed. */
export function trailLine(receipt: string, verdict: { valid: boolean; reason: string } = { valid: true, reason: 'valid' }): string {
  return JSON.stringify({ proxygate_receipt: 1, receipt, verdict, call: { gateway: 'http://127.0.0.1:1' }, recorded_at: '2026-11-25T12:00:00.000Z' });
}
