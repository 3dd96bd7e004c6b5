import { base58Encode } from '../crypto/base58.js';
import { concatBytes, sha256, sha256Hex, toBase64 } from '../crypto/hash.js';
import { canonicalize } from '../crypto/jcs.js';
import type { Ed25519Key } from '../crypto/ed25519.js';
import type { EphemeralKey } from './keys.js';
import type { LogHead, ReceiptShield, ReceiptV1, ReceiptV2, ReceiptV3 } from './types.js';

export const V3_DOMAIN_PREFIX = 'proxygate-receipt-v3\n';
export const GENESIS_PREV = '0'.repeat(64);

// RFC 3986 unreserved characters stay; encodeURIComponent also keeps !'()* which must be escaped.
function percentEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The canonical upstream query: without `listing`, pairs sorted by key then value, RFC 3986 encoded. */
export function canonicalQuery(query: URLSearchParams): string {
  const pairs = [...query].filter(([key]) => key !== 'listing');
  pairs.sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0));
  return pairs.map(([key, value]) => `${percentEncode(key)}=${percentEncode(value)}`).join('&');
}

/** `request_sha256`: METHOD \n path \n query \n, then the raw body bytes. */
export function requestSha256(method: string, path: string, query: URLSearchParams, body: Uint8Array): string {
  const head = new TextEncoder().encode(`${method.toUpperCase()}\n${path}\n${canonicalQuery(query)}\n`);
  return sha256Hex(concatBytes(head, body));
}

/** The five signed fields of v1/v2: `amount` integer micro-USD, `timestamp` integer Unix seconds. */
export interface Payment {
  request_id: string;
  buyer: string;
  seller: string;
  amount: number;
  timestamp: number;
}

// v1 signed bytes: exactly these five keys in alphabetical order, no whitespace, integers as integers.
function v1Message(payment: Payment): string {
  return JSON.stringify({
    amount: payment.amount,
    buyer: payment.buyer,
    request_id: payment.request_id,
    seller: payment.seller,
    timestamp: payment.timestamp,
  });
}

/** `tagged` adds the optional `receipt_version: 1` (outside the signed bytes), as some v1 receipts carry. */
export function signV1(payment: Payment, platform: Ed25519Key, tagged = false): ReceiptV1 {
  const receipt: ReceiptV1 = { ...payment, signature: toBase64(platform.sign(v1Message(payment))) };
  return tagged ? { ...receipt, receipt_version: 1 } : receipt;
}

export function signV2(payment: Payment, ephemeral: EphemeralKey, receiptCa: Ed25519Key): ReceiptV2 {
  return {
    ...payment,
    signature: toBase64(ephemeral.key.sign(v1Message(payment))),
    receipt_version: 2,
    delegation: {
      ephemeral_pubkey: base58Encode(ephemeral.key.publicKey),
      not_before: ephemeral.notBefore,
      not_after: ephemeral.notAfter,
      purpose: 'proxygate-receipt',
      receipt_ca_pubkey: base58Encode(receiptCa.publicKey),
      signature: ephemeral.caSignature,
    },
  };
}

export type UnsignedV3 = Omit<ReceiptV3, 'signature'>;

export function signV3(unsigned: UnsignedV3, key: Ed25519Key): ReceiptV3 {
  const signature = key.sign(V3_DOMAIN_PREFIX + canonicalize(unsigned));
  return { ...unsigned, signature: toBase64(signature) };
}

/** Hash linking a receipt to the next one in its chain (`prev`): over the JCS form WITH signature. */
export function chainHash(receipt: ReceiptV3): string {
  return sha256Hex(canonicalize(receipt));
}

export function shieldOf(verdict: ReceiptShield): ReceiptShield {
  return { mode: verdict.mode, score_bp: verdict.score_bp, flags: [...verdict.flags], action: verdict.action };
}

/** RFC 9162 Merkle tree hash over already-hashed leaves. */
function merkleOfLeaves(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return sha256(new Uint8Array());
  if (leaves.length === 1) return leaves[0] as Uint8Array;
  let split = 1;
  while (split * 2 < leaves.length) split *= 2;
  return sha256(concatBytes(Uint8Array.of(1), merkleOfLeaves(leaves.slice(0, split)), merkleOfLeaves(leaves.slice(split))));
}

export function merkleRoot(receipts: readonly ReceiptV3[]): Uint8Array {
  const leaves = receipts.map((receipt) => sha256(concatBytes(Uint8Array.of(0), new TextEncoder().encode(canonicalize(receipt)))));
  return merkleOfLeaves(leaves);
}

/** C2SP signed-note key hash: first 4 bytes of SHA-256(name || "\n" || 0x01 || public key). */
export function noteKeyHash(kid: string, publicKey: Uint8Array): Uint8Array {
  return sha256(concatBytes(new TextEncoder().encode(`${kid}\n`), Uint8Array.of(1), publicKey)).slice(0, 4);
}

/** The signed log head in C2SP checkpoint form. */
export function signHead(origin: string, receipts: readonly ReceiptV3[], timestamp: string, kid: string, key: Ed25519Key): LogHead {
  const rootHash = toBase64(merkleRoot(receipts));
  const body = `${origin}\n${receipts.length}\n${rootHash}\n${timestamp}\n`;
  const signature = key.sign(body);
  const checkpoint = `${body}\n\u2014 ${kid} ${toBase64(concatBytes(noteKeyHash(kid, key.publicKey), signature))}\n`;
  return { origin, tree_size: receipts.length, root_hash: rootHash, timestamp, kid, checkpoint };
}

export function encodeReceiptHeader(receipt: object): string {
  return Buffer.from(JSON.stringify(receipt), 'utf8').toString('base64');
}
