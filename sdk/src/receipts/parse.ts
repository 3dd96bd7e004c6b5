import { ReceiptParseError } from './errors.js';
import { decodeUtf8, hasLoneSurrogate, parseStrictJson, type JsonValue } from './strict-json.js';
import { fromBase64, fromBase64AnyPadding } from './encoding.js';
import { parseRfc3339 } from './time.js';
import { integerTimeProblem } from './receipt-time.js';
import type { DelegationV2, Receipt, ReceiptV1, ReceiptV2, ReceiptV3, ShieldAction, ShieldMode } from './types.js';

type Obj = { [key: string]: unknown };

const malformed = (field: string, message: string): never => {
  throw new ReceiptParseError('malformed', field, message);
};

const V3_FIELDS = [
  'receipt_version', 'kid', 'request_id', 'buyer', 'seller', 'listing_id', 'service', 'method', 'path',
  'amount', 'currency', 'timestamp', 'request_sha256', 'response_sha256', 'shield', 'seq', 'prev', 'signature',
] as const;
const V1_FIELDS = ['request_id', 'buyer', 'seller', 'amount', 'timestamp', 'signature'];
const V1_FIELDS_WITH_VERSION = ['receipt_version', ...V1_FIELDS];
const V2_FIELDS = ['receipt_version', ...V1_FIELDS, 'delegation'];
const DELEGATION_FIELDS = ['ephemeral_pubkey', 'not_before', 'not_after', 'purpose', 'receipt_ca_pubkey', 'signature'];
const SHIELD_FIELDS = ['mode', 'score_bp', 'flags', 'action'];

const V3_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const HEX64 = /^[0-9a-f]{64}$/;
const INT_STRING = /^(0|[1-9][0-9]*)$/;
const METHOD = /^[A-Z]{1,16}$/;

/**
 * Parses one receipt from JSON text, UTF-8 bytes or an already-decoded JSON value, and checks
 * every field's type and form. Throws only {@link ReceiptParseError}.
 */
export function parseReceipt(input: string | Uint8Array | unknown): Receipt {
  // Text goes through the strict reader (which refuses lone surrogates); a value is checked here.
  if (input instanceof Uint8Array) return validateShape(parseStrictJson(decodeUtf8(input)));
  if (typeof input === 'string') return validateShape(parseStrictJson(input));
  return validateReceipt(input);
}

type HeaderBag = { get(name: string): string | null } | Record<string, string | readonly string[] | undefined>;

/**
 * Reads a receipt from response headers (`x-proxygate-receipt`, base64 JSON, preferred; else the
 * plain-JSON `x-receipt`), or from one header value. Returns `undefined` when headers carry neither.
 * A value that starts with `{` is read as plain JSON, anything else as base64 of the JSON.
 */
export function decodeReceiptHeader(value: string): Receipt;
export function decodeReceiptHeader(headers: HeaderBag): Receipt | undefined;
export function decodeReceiptHeader(source: string | HeaderBag): Receipt | undefined {
  if (typeof source === 'string') return decodeHeaderValue(source);
  const base64 = headerValue(source, 'x-proxygate-receipt');
  if (base64 !== undefined) return decodeHeaderValue(base64, 'base64');
  const plain = headerValue(source, 'x-receipt');
  if (plain !== undefined) return decodeHeaderValue(plain, 'json');
  return undefined;
}

function headerValue(source: HeaderBag, name: string): string | undefined {
  if (typeof (source as { get?: unknown }).get === 'function') {
    return (source as { get(name: string): string | null }).get(name) ?? undefined;
  }
  for (const [key, v] of Object.entries(source as Record<string, string | readonly string[] | undefined>)) {
    if (key.toLowerCase() !== name || v === undefined) continue;
    if (typeof v === 'string') return v;
    if (v.length !== 1) malformed('', `expected one ${name} header, got ${v.length}`);
    return v[0];
  }
  return undefined;
}

function decodeHeaderValue(raw: string, kind?: 'base64' | 'json'): Receipt {
  const text = raw.trim();
  const asJson = kind === 'json' || (kind === undefined && text.startsWith('{'));
  if (asJson) return parseReceipt(text);
  const bytes = fromBase64AnyPadding(text);
  if (!bytes) return malformed('', 'receipt header is neither JSON nor strict base64');
  return parseReceipt(bytes);
}

/**
 * Checks a decoded JSON value is a receipt and returns a fresh, typed copy. A value decoded by
 * `JSON.parse` has lost any duplicate keys (the last one won): pass the text to catch those.
 */
export function validateReceipt(value: unknown): Receipt {
  // After the shape check: the copy has only known fields, three levels deep at most.
  const receipt = validateShape(value);
  refuseLoneSurrogates(receipt, '');
  return receipt;
}

/**
 * Lone surrogates (protocol §3) in any string: they have no UTF-8 form to sign. Keys need no
 * check: the validated copy has only the known field names.
 */
function refuseLoneSurrogates(value: unknown, field: string): void {
  if (typeof value === 'string') {
    if (hasLoneSurrogate(value)) malformed(field, 'contains a lone surrogate');
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => refuseLoneSurrogates(item, `${field}[${i}]`));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) refuseLoneSurrogates(item, field ? `${field}.${key}` : key);
  }
}

function validateShape(value: unknown): Receipt {
  const obj = asObject(value, '');
  const version = obj['receipt_version'];
  // The public gateway may send `receipt_version: 1`. It is outside the signed bytes (so is v2's
  // `2`, whose certificate and signature then decide): it claims nothing a signature must cover.
  if (version === undefined || version === 1) return validateV1(obj, version === 1);
  if (version === 2) return validateV2(obj);
  if (version === 3) return validateV3(obj);
  if (typeof version === 'number' && Number.isSafeInteger(version)) {
    throw new ReceiptParseError('unsupported_version', 'receipt_version', `unsupported receipt version ${version}`);
  }
  return malformed('receipt_version', 'must be an integer');
}

function asObject(value: unknown, field: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return malformed(field, 'must be an object');
  return value as Obj;
}

function onlyFields(obj: Obj, allowed: readonly string[], required: readonly string[], prefix: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) malformed(prefix + key, 'unknown field');
  }
  for (const key of required) {
    if (!Object.prototype.hasOwnProperty.call(obj, key) || obj[key] === undefined) malformed(prefix + key, 'missing field');
  }
}

function str(obj: Obj, key: string, field = key): string {
  const v = obj[key];
  if (typeof v !== 'string') return malformed(field, 'must be a string');
  if (v.length === 0) return malformed(field, 'must not be empty');
  return v;
}

function safeInt(obj: Obj, key: string, field = key): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || Object.is(v, -0)) return malformed(field, 'must be a safe integer');
  return v;
}

function signature(obj: Obj, field: string): string {
  const s = str(obj, 'signature', field);
  const bytes = fromBase64(s);
  if (!bytes || bytes.length !== 64) malformed(field, 'must be strict base64 of 64 bytes');
  return s;
}

/** v1/v2 `amount`, integer micro-USD: a JSON integer (the gateway) or an integer string (older receipts). */
function legacyAmount(obj: Obj): number | string {
  const v = obj['amount'];
  if (typeof v === 'string') {
    if (!INT_STRING.test(v)) malformed('amount', 'must be a non-negative integer string');
    return v;
  }
  const n = safeInt(obj, 'amount');
  if (n < 0) malformed('amount', 'must not be negative');
  return n;
}

/** A time as the public gateway sends it: a non-negative integer (unit told apart by magnitude). */
function integerTime(obj: Obj, key: string, field: string): number {
  const v = obj[key] as number;
  const problem = integerTimeProblem(v);
  if (problem !== undefined) malformed(field, problem);
  return v;
}

/** v1 `timestamp`: an integer, or (older receipts) any non-empty string, signed as it came. */
function v1Timestamp(obj: Obj): number | string {
  const v = obj['timestamp'];
  if (typeof v === 'number') return integerTime(obj, 'timestamp', 'timestamp');
  if (typeof v !== 'string') return malformed('timestamp', 'must be an integer (Unix seconds or milliseconds) or a string');
  return str(obj, 'timestamp');
}

/** v2 timestamp and certificate bounds: an integer, or (older receipts) RFC 3339 text. */
function v2Time(obj: Obj, key: string, field: string): number | string {
  const v = obj[key];
  if (typeof v === 'number') return integerTime(obj, key, field);
  if (typeof v !== 'string') return malformed(field, 'must be an integer (Unix seconds or milliseconds) or an RFC 3339 timestamp');
  return rfc3339(obj, key, field);
}

function rfc3339(obj: Obj, key: string, field: string): string {
  const s = str(obj, key, field);
  // parseRfc3339 checks the grammar (and real calendar dates) itself.
  if (parseRfc3339(s) === undefined) malformed(field, 'must be an RFC 3339 timestamp');
  return s;
}

function validateV1(obj: Obj, versioned: boolean): ReceiptV1 {
  onlyFields(obj, versioned ? V1_FIELDS_WITH_VERSION : V1_FIELDS, V1_FIELDS, '');
  const fields = {
    request_id: str(obj, 'request_id'),
    buyer: str(obj, 'buyer'),
    seller: str(obj, 'seller'),
    amount: legacyAmount(obj),
    timestamp: v1Timestamp(obj),
    signature: signature(obj, 'signature'),
  };
  // The copy keeps what came: a receipt saved from it reads back the same.
  return versioned ? { receipt_version: 1, ...fields } : fields;
}

function validateV2(obj: Obj): ReceiptV2 {
  onlyFields(obj, V2_FIELDS, V2_FIELDS, '');
  const d = asObject(obj['delegation'], 'delegation');
  onlyFields(d, DELEGATION_FIELDS, DELEGATION_FIELDS, 'delegation.');
  if (d['purpose'] !== 'proxygate-receipt') malformed('delegation.purpose', 'must be "proxygate-receipt"');
  const delegation: DelegationV2 = {
    ephemeral_pubkey: str(d, 'ephemeral_pubkey', 'delegation.ephemeral_pubkey'),
    not_before: v2Time(d, 'not_before', 'delegation.not_before'),
    not_after: v2Time(d, 'not_after', 'delegation.not_after'),
    purpose: 'proxygate-receipt',
    receipt_ca_pubkey: str(d, 'receipt_ca_pubkey', 'delegation.receipt_ca_pubkey'),
    signature: signature(d, 'delegation.signature'),
  };
  return {
    receipt_version: 2,
    request_id: str(obj, 'request_id'),
    buyer: str(obj, 'buyer'),
    seller: str(obj, 'seller'),
    amount: legacyAmount(obj),
    timestamp: v2Time(obj, 'timestamp', 'timestamp'),
    signature: signature(obj, 'signature'),
    delegation,
  };
}

const MODES: readonly string[] = ['off', 'monitor', 'strict'];
const ACTIONS: readonly string[] = ['allowed', 'flagged', 'blocked'];

function validateV3(obj: Obj): ReceiptV3 {
  onlyFields(obj, V3_FIELDS, V3_FIELDS, '');
  const method = str(obj, 'method');
  if (!METHOD.test(method)) malformed('method', 'must be an upper-case HTTP method');
  const path = str(obj, 'path');
  if (!path.startsWith('/')) malformed('path', 'must start with "/"');
  const amount = str(obj, 'amount');
  if (!INT_STRING.test(amount)) malformed('amount', 'must be a non-negative integer string');
  if (obj['currency'] !== 'USD') malformed('currency', 'must be "USD"');
  const timestamp = str(obj, 'timestamp');
  if (!V3_TIMESTAMP.test(timestamp) || parseRfc3339(timestamp) === undefined) {
    malformed('timestamp', 'must be RFC 3339 UTC with milliseconds');
  }
  const requestSha = str(obj, 'request_sha256');
  if (!HEX64.test(requestSha)) malformed('request_sha256', 'must be 64 lower-case hex digits');
  const responseSha = str(obj, 'response_sha256');
  if (!HEX64.test(responseSha)) malformed('response_sha256', 'must be 64 lower-case hex digits');

  const s = asObject(obj['shield'], 'shield');
  onlyFields(s, SHIELD_FIELDS, SHIELD_FIELDS, 'shield.');
  const mode = s['mode'];
  if (typeof mode !== 'string' || !MODES.includes(mode)) malformed('shield.mode', 'must be off, monitor or strict');
  const scoreBp = safeInt(s, 'score_bp', 'shield.score_bp');
  if (scoreBp < 0 || scoreBp > 10000) malformed('shield.score_bp', 'must be 0..10000');
  const rawFlags = s['flags'];
  if (!Array.isArray(rawFlags)) return malformed('shield.flags', 'must be an array of strings');
  const flags = rawFlags.map((f: unknown, i) => (typeof f === 'string' && f ? f : malformed(`shield.flags[${i}]`, 'must be a string')));
  const action = s['action'];
  if (typeof action !== 'string' || !ACTIONS.includes(action)) malformed('shield.action', 'must be allowed, flagged or blocked');

  const seq = safeInt(obj, 'seq');
  if (seq < 1) malformed('seq', 'must be >= 1');
  const prev = str(obj, 'prev');
  if (!HEX64.test(prev)) malformed('prev', 'must be 64 lower-case hex digits');
  if (seq === 1 && prev !== ZERO_HASH) malformed('prev', 'must be 64 zeros when seq is 1');

  return {
    receipt_version: 3,
    kid: str(obj, 'kid'),
    request_id: str(obj, 'request_id'),
    buyer: str(obj, 'buyer'),
    seller: str(obj, 'seller'),
    listing_id: str(obj, 'listing_id'),
    service: str(obj, 'service'),
    method,
    path,
    amount,
    currency: 'USD',
    timestamp,
    request_sha256: requestSha,
    response_sha256: responseSha,
    shield: { mode: mode as ShieldMode, score_bp: scoreBp, flags, action: action as ShieldAction },
    seq,
    prev,
    signature: signature(obj, 'signature'),
  };
}

export const ZERO_HASH = '0'.repeat(64);

/** Re-export for callers that hold JSON values from elsewhere. */
export type { JsonValue };
