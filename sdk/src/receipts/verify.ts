import { resolveBackend, type BackendChoice, type Ed25519Backend } from './backends.js';
import { delegationSignedText, legacySignedText, v3SignedText } from './canonical.js';
import { ReceiptParseError, type ReasonCode } from './errors.js';
import { bytesEqual, fromBase58, fromBase64, utf8Bytes } from './encoding.js';
import { requestSha256, responseSha256, type BodyInput, type RequestDescription } from './hashes.js';
import type { KeySet } from './key-set.js';
import { parseReceipt } from './parse.js';
import { publicKeyProblemCached } from './public-key.js';
import type { FailedVerdict, Receipt, ReceiptV1, ReceiptV2, ReceiptV3, ValidVerdict, Verdict } from './types.js';
import { formatReceiptTime, instantNs, readTime, receiptTime, type ReceiptTime } from './receipt-time.js';

export interface VerifyOptions {
  /** The pinned keys; verification never fetches any. */
  keys: KeySet;
  /** `auto` (default: native when available, else noble), a backend name, or your own backend. */
  backend?: BackendChoice;
  /**
   * What was actually sent and received, to check `request_sha256` / `response_sha256` (v3 only;
   * v1/v2 receipts bind no content, so this is ignored for them).
   */
  content?: { request?: RequestDescription; response?: BodyInput };
}

/** What a receipt can be given as: JSON text, UTF-8 bytes, or a decoded object. */
export type ReceiptInput = string | Uint8Array | Receipt | Record<string, unknown>;

/**
 * The one builder of failed verdicts (receipts, paid calls and MCP alike); with the receipt, its
 * interpreted time too (pass `time` when already read).
 */
export const fail = (reason: ReasonCode, message: string, field?: string, receipt?: Receipt, time?: ReceiptTime): FailedVerdict => {
  const verdict: FailedVerdict = { valid: false, reason, message };
  if (field !== undefined) verdict.field = field;
  if (receipt !== undefined) {
    verdict.receipt = receipt;
    const t = time ?? receiptTime(receipt);
    if (t) verdict.time = t;
  }
  return verdict;
};

/**
 * The verdict on a validly signed v1/v2 receipt where a v3 one was due (`because` says why):
 * v1/v2 bind neither the request nor the response, so a relay could have swapped the body.
 */
export const downgradeVerdict = (receipt: Receipt, because: string): FailedVerdict =>
  fail('downgrade', `a v${receipt.receipt_version ?? 1} receipt binds neither the request nor the response, and ${because}: refused as a downgrade`, 'receipt_version', receipt);

const ok = (receipt: Receipt, time = receiptTime(receipt)): ValidVerdict => {
  const verdict: ValidVerdict = { valid: true, reason: 'valid', message: 'receipt is valid', receipt };
  if (time) verdict.time = time;
  return verdict;
};

/**
 * Parses without throwing: a receipt, or the verdict that explains why not. The one translation
 * of a receipt that cannot be read into a verdict; `parse` reads another form (a header value
 * through `decodeReceiptHeader`).
 */
export function parseToVerdict(input: ReceiptInput): Receipt | FailedVerdict;
export function parseToVerdict<I>(input: I, parse: (input: I) => Receipt): Receipt | FailedVerdict;
export function parseToVerdict(input: unknown, parse: (input: never) => Receipt = parseReceipt): Receipt | FailedVerdict {
  try {
    return parse(input as never);
  } catch (error) {
    if (error instanceof ReceiptParseError) return fail(error.reason, error.message, error.field || undefined);
    return fail('malformed', 'receipt could not be read');
  }
}

export function isVerdict<V extends Verdict>(value: Receipt | V): value is V {
  return 'valid' in value && 'reason' in value;
}

/**
 * Verifies one receipt offline against pinned keys. Resolves to a {@link Verdict}; it never
 * rejects for a bad receipt (only for a backend named but unavailable in this runtime).
 */
export async function verifyReceipt(input: ReceiptInput, options: VerifyOptions): Promise<Verdict> {
  const parsed = parseToVerdict(input);
  return isVerdict(parsed) ? parsed : verifyValidated(parsed, options);
}

/**
 * @internal {@link verifyReceipt} of a receipt this SDK has just parsed and validated itself (the
 * paid-call and MCP paths decode the header once): not parsed again.
 */
export async function verifyValidated(receipt: Receipt, options: VerifyOptions): Promise<Verdict> {
  const backend = await resolveBackend(options.backend);
  const verdict = await verifyParsed(receipt, options.keys, backend);
  if (!verdict.valid || !options.content || receipt.receipt_version !== 3) return verdict;
  return checkContent(receipt, options.content);
}

/**
 * Verifies many receipts; the verdicts come back in input order. For JSON Lines streams use
 * `verifyStream`, which keeps memory flat.
 */
export async function verifyReceipts(
  inputs: Iterable<ReceiptInput> | AsyncIterable<ReceiptInput>,
  options: Omit<VerifyOptions, 'content'>,
): Promise<Verdict[]> {
  const backend = await resolveBackend(options.backend);
  const verdicts: Verdict[] = [];
  for await (const input of inputs as AsyncIterable<ReceiptInput>) {
    const parsed = parseToVerdict(input);
    verdicts.push(isVerdict(parsed) ? parsed : await verifyParsed(parsed, options.keys, backend));
  }
  return verdicts;
}

/**
 * The signature and key checks of one parsed receipt. Backends return false for hostile bytes;
 * an error a backend throws (a closed pool, a crashed worker) is not a verdict and propagates.
 */
export function verifyParsed(receipt: Receipt, keys: KeySet, backend: Ed25519Backend, v3Signed?: Uint8Array): Promise<Verdict> {
  if (receipt.receipt_version === 3) return verifyV3(receipt, keys, backend, v3Signed);
  if (receipt.receipt_version === 2) return verifyV2(receipt, keys, backend);
  return verifyV1(receipt, keys, backend);
}

async function verifyV3(r: ReceiptV3, keys: KeySet, backend: Ed25519Backend, signed?: Uint8Array): Promise<Verdict> {
  const key = keys.get(r.kid);
  if (!key) return fail('unknown_key', `no key ${JSON.stringify(r.kid)} in the pinned key set`, 'kid', r);
  const signature = fromBase64(r.signature)!;
  if (!(await backend.verify(key.publicKey, signed ?? utf8Bytes(v3SignedText(r)), signature))) {
    return fail('bad_signature', 'signature does not match the signed fields', 'signature', r);
  }
  // Judged after the signature, so a tampered timestamp reads as tampering, not as a window miss.
  const time = receiptTime(r)!;
  const judgement = keys.judge(r.kid, time.epochMs);
  if (!judgement.ok) return fail(judgement.reason, judgement.message, judgement.reason === 'unknown_key' ? 'kid' : 'timestamp', r, time);
  return ok(r, time);
}

async function verifyV1(r: ReceiptV1, keys: KeySet, backend: Ed25519Backend): Promise<Verdict> {
  if (!keys.platformKey) return fail('unknown_key', 'no platform_pubkey pinned for v1 receipts', undefined, r);
  const signature = fromBase64(r.signature)!;
  if (!(await backend.verify(keys.platformKey, utf8Bytes(legacySignedText(r)), signature))) {
    return fail('bad_signature', 'signature does not match the signed fields', 'signature', r);
  }
  return ok(r);
}

async function verifyV2(r: ReceiptV2, keys: KeySet, backend: Ed25519Backend): Promise<Verdict> {
  const d = r.delegation;
  if (!keys.caKey) {
    // The public client accepts any CA when its pin is empty; a CA a receipt names is not evidence.
    return fail('unknown_key', 'no receipt_ca_pubkey pinned, so no v2 receipt can be verified (the CA key the receipt names is not trusted on its own word)', 'delegation.receipt_ca_pubkey', r);
  }
  const named = fromBase58(d.receipt_ca_pubkey);
  if (!named || !bytesEqual(named, keys.caKey)) {
    return fail('delegation_invalid', 'certificate names a CA other than the pinned one', 'delegation.receipt_ca_pubkey', r);
  }
  const ephemeral = fromBase58(d.ephemeral_pubkey);
  const problem = ephemeral ? publicKeyProblemCached(d.ephemeral_pubkey, ephemeral) : 'is not strict base58';
  if (!ephemeral || problem) return fail('delegation_invalid', `ephemeral key ${problem}`, 'delegation.ephemeral_pubkey', r);
  if (!(await backend.verify(keys.caKey, utf8Bytes(delegationSignedText(d)), fromBase64(d.signature)!))) {
    return fail('delegation_invalid', 'CA signature over the ephemeral key certificate is invalid', 'delegation.signature', r);
  }
  if (!(await backend.verify(ephemeral, utf8Bytes(legacySignedText(r)), fromBase64(r.signature)!))) {
    return fail('bad_signature', 'signature does not match the signed fields', 'signature', r);
  }
  // Exact instants (epoch ns): each value read in its own unit (integers by magnitude, RFC 3339
  // text to nine fractional digits), so a window in milliseconds judges a timestamp in seconds.
  const t = instantNs(r.timestamp)!;
  if (t < instantNs(d.not_before)! || t > instantNs(d.not_after)!) {
    const time = receiptTime(r)!;
    return fail('delegation_invalid', `timestamp ${formatReceiptTime(time)} lies outside the certificate window [${bound(d.not_before)}, ${bound(d.not_after)}]`, 'timestamp', r, time);
  }
  return ok(r);
}

async function checkContent(r: ReceiptV3, content: NonNullable<VerifyOptions['content']>): Promise<Verdict> {
  if (content.request !== undefined && (await requestSha256(content.request)) !== r.request_sha256) {
    return fail('content_mismatch', 'the request sent does not hash to request_sha256', 'request_sha256', r);
  }
  if (content.response !== undefined && (await responseSha256(content.response)) !== r.response_sha256) {
    return fail('content_mismatch', 'the response received does not hash to response_sha256', 'response_sha256', r);
  }
  return ok(r);
}

function bound(value: number | string): string {
  const time = readTime(value);
  return time ? formatReceiptTime(time) : String(value);
}
