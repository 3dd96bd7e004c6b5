import { canonicalize } from './jcs.js';
import { utf8Bytes } from './encoding.js';
import type { DelegationV2, ReceiptV1, ReceiptV2, ReceiptV3 } from './types.js';

/** Domain separation so a v3 signature can never be replayed as another message. */
export const V3_SIGNING_PREFIX = 'proxygate-receipt-v3\n';

// JSON.stringify escapes only these (and writes lone surrogates escaped): a string without them
// is itself between quotes. Skipping the call per field is a tenth of the signed-text cost.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON.stringify(s) for a string, exactly. */
function quote(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : '"' + s + '"';
}

/** A v1/v2 value as it came: a safe integer (its digits) or a string. */
function scalar(v: number | string): string {
  return typeof v === 'number' ? String(v) : quote(v);
}

/**
 * v1/v2 signed bytes (§1): keys amount, buyer, request_id, seller, timestamp in that order, no
 * whitespace, each value written as it came: a number stays a number, a string a string. The
 * parser admits only plain safe integers (no fraction, exponent or -0), which JSON.stringify
 * writes digit for digit, so `1700000000` is rebuilt as `1700000000`, never `1.7e9`.
 */
export function legacySignedText(r: ReceiptV1 | ReceiptV2): string {
  return (
    '{"amount":' + scalar(r.amount) + ',"buyer":' + quote(r.buyer) + ',"request_id":' + quote(r.request_id) +
    ',"seller":' + quote(r.seller) + ',"timestamp":' + scalar(r.timestamp) + '}'
  );
}

/** v2 certificate bytes the CA signs: ephemeral_pubkey, not_after, not_before, purpose; times as they came. */
export function delegationSignedText(d: DelegationV2): string {
  return (
    '{"ephemeral_pubkey":' + quote(d.ephemeral_pubkey) + ',"not_after":' + scalar(d.not_after) +
    ',"not_before":' + scalar(d.not_before) + ',"purpose":' + quote(d.purpose) + '}'
  );
}

/**
 * The text a v3 signature covers: the prefix plus the JCS form of every field but `signature`.
 * Written out in JCS key order because a parsed v3 receipt has exactly these fields and only
 * well-formed strings (the parser checked), so this equals `canonicalize` at a fraction of the
 * cost; `v3SignedTextGeneric` is the reference the tests compare it with.
 */
export function v3SignedText(r: ReceiptV3): string {
  const q = quote;
  const s = r.shield;
  let flags = '';
  for (let i = 0; i < s.flags.length; i++) flags += (i ? ',' : '') + q(s.flags[i]!);
  return (
    V3_SIGNING_PREFIX +
    '{"amount":' + q(r.amount) + ',"buyer":' + q(r.buyer) + ',"currency":' + q(r.currency) + ',"kid":' + q(r.kid) +
    ',"listing_id":' + q(r.listing_id) + ',"method":' + q(r.method) + ',"path":' + q(r.path) + ',"prev":' + q(r.prev) +
    ',"receipt_version":' + r.receipt_version + ',"request_id":' + q(r.request_id) + ',"request_sha256":' + q(r.request_sha256) +
    ',"response_sha256":' + q(r.response_sha256) + ',"seller":' + q(r.seller) + ',"seq":' + r.seq + ',"service":' + q(r.service) +
    ',"shield":{"action":' + q(s.action) + ',"flags":[' + flags + '],"mode":' + q(s.mode) + ',"score_bp":' + s.score_bp +
    '},"timestamp":' + q(r.timestamp) + '}'
  );
}

/**
 * The JCS text of a whole v3 receipt, signature included (what `prev` and log leaves hash): the
 * signed text without its prefix, `signature` slotted in key order between `shield` and
 * `timestamp`. Equals `canonicalize(receipt)` for a parsed receipt (tests compare them).
 */
export function v3ReceiptJcs(r: ReceiptV3): string {
  return v3ReceiptJcsFrom(r, v3SignedText(r));
}

/** {@link v3ReceiptJcs} from the signed text already built (an audit verifies, then hashes). */
export function v3ReceiptJcsFrom(r: ReceiptV3, signed: string): string {
  const at = signed.lastIndexOf(',"timestamp":');
  return signed.slice(V3_SIGNING_PREFIX.length, at) + ',"signature":' + quote(r.signature) + signed.slice(at);
}

/** The same text through the generic JCS serializer. */
export function v3SignedTextGeneric(r: ReceiptV3): string {
  const { signature: _signature, ...unsigned } = r;
  return V3_SIGNING_PREFIX + canonicalize(unsigned);
}

/** Signed bytes of any receipt version (for v2, the receipt bytes the ephemeral key signs). */
export function signedBytes(r: ReceiptV1 | ReceiptV2 | ReceiptV3): Uint8Array {
  return utf8Bytes(r.receipt_version === 3 ? v3SignedText(r) : legacySignedText(r));
}
