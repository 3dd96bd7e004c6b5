import { KeySetError, ReceiptParseError, type ReasonCode } from './errors.js';
import { fromBase58, fromBase64, fromBase64Url, toBase58, toBase64Url } from './encoding.js';
import { publicKeyProblem } from './public-key.js';
import { decodeUtf8, parseStrictJson } from './strict-json.js';
import { parseRfc3339 } from './time.js';

export type KeyStatus = 'active' | 'retired' | 'revoked';

/** One key of `/.well-known/proxygate-receipt-keys`. */
export interface KeySetDocumentKey {
  kid: string;
  kty: 'OKP';
  crv: 'Ed25519';
  alg: 'EdDSA';
  /** base64url (no padding) of the 32-byte public key. */
  x: string;
  not_before: string;
  not_after: string | null;
  status: KeyStatus;
  revoked_at?: string;
}

/** The `/.well-known/proxygate-receipt-keys` document. */
export interface KeySetDocument {
  issuer?: string;
  keys: KeySetDocumentKey[];
  /** base58 key that signs v1 receipts. */
  platform_pubkey?: string;
  /** base58 CA key that certifies v2 ephemeral keys. */
  receipt_ca_pubkey?: string;
  /**
   * Signatures of keys that vouch for this set (key rotation without a new pin; see the spec's
   * `KeySet.endorsements`). Not checked when loading; `toJSON` leaves them out.
   */
  endorsements?: Array<{ kid: string; signature: string }>;
}

/** A raw key for {@link KeySet.fromKeys}. */
export interface RawKeyInput {
  kid: string;
  /** The 32 public-key bytes, or their text in `encoding`. */
  publicKey: string | Uint8Array;
  /** Required for text keys unless its characters settle it (`+/=` base64, `-_0OIl` base64url). */
  encoding?: 'base58' | 'base64' | 'base64url';
  /** Defaults to the Unix epoch. */
  not_before?: string;
  not_after?: string | null;
  status?: KeyStatus;
  revoked_at?: string;
}

/**
 * Keys pinned besides the kid-named ones. An absent, `undefined` or empty pin pins nothing: the
 * public gateway's `/health` gives `platform_pubkey` and may give no `receipt_ca_pubkey`, and a
 * set without a CA key refuses every v2 receipt (never trusting the CA a receipt names itself).
 */
export interface KeySetPins {
  issuer?: string | undefined;
  /** base58 v1 platform key (`/health` `platform_pubkey`). */
  platformPubkey?: string | undefined;
  /** base58 v2 receipt CA key (`/health` `receipt_ca_pubkey`, when it has one). */
  receiptCaPubkey?: string | undefined;
}

/**
 * Public keys (base64url) that passed the curve checks before, kept by the caller across runs
 * (the CLI keeps one in its private per-user cache): a key found here skips the pure-JS checks
 * (a cold scalar multiplication, a tenth of a one-receipt CLI run); a key that passes is added.
 * Whoever can write the store can make a bad key pass, as whoever can write the pinned key file
 * can pin a key of their own: keep it where only that file's owner can write.
 */
export interface CheckedKeyStore {
  has(publicKey: string): boolean;
  add(publicKey: string): void;
}

export interface KeySetOptions {
  checkedKeys?: CheckedKeyStore | undefined;
}

/** A validated receipt-signing key. */
export interface ReceiptKey {
  readonly kid: string;
  readonly publicKey: Uint8Array;
  readonly status: KeyStatus;
  /** Epoch ms. */
  readonly notBefore: number;
  readonly notAfter: number | null;
  readonly revokedAt: number | undefined;
  readonly document: KeySetDocumentKey;
}

/** The outcome of judging a key at a receipt's timestamp. */
export type KeyJudgement =
  | { ok: true; key: ReceiptKey }
  | { ok: false; reason: Extract<ReasonCode, 'unknown_key' | 'key_revoked' | 'key_not_yet_valid' | 'key_expired'>; message: string };

const EPOCH = '1970-01-01T00:00:00.000Z';

/** A key-set document that is not one: the error of every malformed entry or field. */
const malformed = (field: string, message: string): KeySetError => new KeySetError('malformed_key_set', field, message);

/**
 * Epoch ms; a window's start rounds a sub-millisecond fraction up, its end down (exact for ms
 * timestamps). parseRfc3339 checks the RFC 3339 grammar itself, real calendar dates included.
 */
function time(value: unknown, field: string, round: 'floor' | 'ceil' = 'floor'): number {
  const ms = typeof value === 'string' ? parseRfc3339(value, round) : undefined;
  if (ms === undefined) throw malformed(field, 'must be an RFC 3339 timestamp');
  return ms;
}

function checked(bytes: Uint8Array | undefined, field: string, store: CheckedKeyStore | undefined): Uint8Array {
  if (!bytes) throw new KeySetError('invalid_public_key', field, 'not a strict encoding');
  const id = store && bytes.length === 32 ? toBase64Url(bytes) : undefined;
  if (id !== undefined && store!.has(id)) return bytes;
  const problem = publicKeyProblem(bytes);
  if (problem) throw new KeySetError('invalid_public_key', field, `public key ${problem}`);
  if (id !== undefined) store!.add(id);
  return bytes;
}

function decodeKeyText(text: string, encoding: RawKeyInput['encoding'], field: string, store: CheckedKeyStore | undefined): Uint8Array {
  let enc = encoding;
  if (!enc) {
    if (/[+/=]/.test(text)) enc = 'base64';
    else if (/[-_0OIl]/.test(text)) enc = 'base64url';
    else throw new KeySetError('invalid_public_key', field, 'ambiguous key text: say which encoding (base58, base64, base64url)');
  }
  const bytes = enc === 'base58' ? fromBase58(text) : enc === 'base64' ? fromBase64(text) : fromBase64Url(text);
  return checked(bytes, field, store);
}

/**
 * Pinned receipt keys: the `/.well-known/proxygate-receipt-keys` document (or raw keys), every key
 * validated once at load, plus the v1 platform key and v2 CA key. Verification with a KeySet needs
 * no network. Immutable.
 */
export class KeySet {
  readonly issuer: string | undefined;
  /** The v1 platform key, when pinned. */
  readonly platformKey: Uint8Array | undefined;
  /** The v2 receipt CA key, when pinned. */
  readonly caKey: Uint8Array | undefined;
  private readonly byKid: ReadonlyMap<string, ReceiptKey>;

  private constructor(keys: ReceiptKey[], pins: KeySetPins, store: CheckedKeyStore | undefined) {
    const byKid = new Map<string, ReceiptKey>();
    keys.forEach((key, i) => {
      if (byKid.has(key.kid)) throw new KeySetError('duplicate_kid', `keys[${i}].kid`, `duplicate kid ${JSON.stringify(key.kid)}`);
      byKid.set(key.kid, key);
    });
    this.byKid = byKid;
    this.issuer = pins.issuer;
    this.platformKey = pins.platformPubkey ? checked(fromBase58(pins.platformPubkey), 'platform_pubkey', store) : undefined;
    this.caKey = pins.receiptCaPubkey ? checked(fromBase58(pins.receiptCaPubkey), 'receipt_ca_pubkey', store) : undefined;
  }

  /**
   * Loads the key-set document (an object, JSON text or UTF-8 bytes). Throws {@link KeySetError}
   * for anything invalid: a key set is loaded once, so failing loudly beats verifying nothing.
   */
  static fromDocument(doc: KeySetDocument | string | Uint8Array, options: KeySetOptions = {}): KeySet {
    let value: unknown = doc;
    if (typeof doc === 'string' || doc instanceof Uint8Array) {
      try {
        value = parseStrictJson(typeof doc === 'string' ? doc : decodeUtf8(doc));
      } catch (error) {
        // The text is not JSON: that is the document's fault, wherever the reader stopped (the
        // offset in the message says where); the parse error's message already names its field.
        if (error instanceof ReceiptParseError) throw malformed('', `not valid JSON: ${error.field ? error.message.slice(error.field.length + 2) : error.message}`);
        throw error;
      }
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed('', 'must be an object');
    const d = value as Record<string, unknown>;
    if (!Array.isArray(d['keys'])) throw malformed('keys', 'must be an array');
    const keys = (d['keys'] as unknown[]).map((k, i) => documentKey(k, `keys[${i}]`, options.checkedKeys));
    const pins: KeySetPins = {};
    for (const [field, pin] of [['issuer', 'issuer'], ['platform_pubkey', 'platformPubkey'], ['receipt_ca_pubkey', 'receiptCaPubkey']] as const) {
      const v = d[field];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'string') throw malformed(field, 'must be a string');
      pins[pin] = v;
    }
    return new KeySet(keys, pins, options.checkedKeys);
  }

  /**
   * Builds a key set from raw keys (base58, base64 or base64url, with kid and validity window).
   * From the public gateway's `/health` alone: `KeySet.fromKeys([], { platformPubkey })` (plus
   * `receiptCaPubkey` when it gives one) verifies v1 receipts (v2 too with the CA key).
   */
  static fromKeys(keys: readonly RawKeyInput[], pins: KeySetPins = {}, options: KeySetOptions = {}): KeySet {
    // Each raw key is decoded, then checked again as a document key: check it once.
    const store = onceWithin(options.checkedKeys);
    const loaded = keys.map((k, i) => {
      const bytes = typeof k.publicKey === 'string'
        ? decodeKeyText(k.publicKey, k.encoding, `keys[${i}].publicKey`, store)
        : checked(new Uint8Array(k.publicKey), `keys[${i}].publicKey`, store);
      const doc: KeySetDocumentKey = {
        kid: k.kid, kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', x: toBase64Url(bytes),
        not_before: k.not_before ?? EPOCH, not_after: k.not_after ?? null, status: k.status ?? 'active',
      };
      if (k.revoked_at !== undefined) doc.revoked_at = k.revoked_at;
      return documentKey(doc, `keys[${i}]`, store);
    });
    return new KeySet(loaded, pins, store);
  }

  /** Key ids in load order. */
  get kids(): string[] {
    return [...this.byKid.keys()];
  }

  get(kid: string): ReceiptKey | undefined {
    return this.byKid.get(kid);
  }

  /**
   * Judges key `kid` at `timestampMs` (the receipt's time, not now): a retired key still verifies
   * inside its window; a revoked key verifies nothing (protocol §3), whatever the receipt's
   * timestamp says: the signer picks that timestamp, so whoever holds a leaked key could backdate.
   * `revoked_at` only says when, in the message.
   */
  judge(kid: string, timestampMs: number): KeyJudgement {
    const key = this.byKid.get(kid);
    if (!key) return { ok: false, reason: 'unknown_key', message: `no key ${JSON.stringify(kid)} in the pinned key set` };
    if (key.status === 'revoked') {
      return { ok: false, reason: 'key_revoked', message: `key ${kid} is revoked${key.revokedAt === undefined ? '' : ` since ${key.document.revoked_at}`}` };
    }
    if (timestampMs < key.notBefore) {
      return { ok: false, reason: 'key_not_yet_valid', message: `key ${kid} is valid from ${key.document.not_before}` };
    }
    if (key.notAfter !== null && timestampMs > key.notAfter) {
      return { ok: false, reason: 'key_expired', message: `key ${kid} expired at ${key.document.not_after}` };
    }
    return { ok: true, key };
  }

  /** The document form (what `receipts keys export` saves); `KeySet.fromDocument` reads it back. */
  toJSON(): KeySetDocument {
    const doc: KeySetDocument = { keys: [...this.byKid.values()].map((k) => ({ ...k.document })) };
    if (this.issuer !== undefined) doc.issuer = this.issuer;
    if (this.platformKey) doc.platform_pubkey = toBase58(this.platformKey);
    if (this.caKey) doc.receipt_ca_pubkey = toBase58(this.caKey);
    return doc;
  }
}

/** A store that remembers this call's checks, and hands new ones to `outer`. */
function onceWithin(outer: CheckedKeyStore | undefined): CheckedKeyStore {
  const local = new Set<string>();
  return {
    has: (key) => local.has(key) || (outer?.has(key) ?? false),
    add: (key) => {
      local.add(key);
      outer?.add(key);
    },
  };
}

function documentKey(value: unknown, at: string, store: CheckedKeyStore | undefined): ReceiptKey {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(at, 'must be an object');
  const k = value as Record<string, unknown>;
  if (typeof k['kid'] !== 'string' || !k['kid']) throw malformed(`${at}.kid`, 'must be a non-empty string');
  if (k['kty'] !== 'OKP') throw malformed(`${at}.kty`, 'must be "OKP"');
  if (k['crv'] !== 'Ed25519') throw malformed(`${at}.crv`, 'must be "Ed25519"');
  if (k['alg'] !== 'EdDSA') throw malformed(`${at}.alg`, 'must be "EdDSA"');
  if (typeof k['x'] !== 'string') throw malformed(`${at}.x`, 'must be base64url');
  const publicKey = checked(fromBase64Url(k['x']), `${at}.x`, store);
  const status = k['status'];
  if (status !== 'active' && status !== 'retired' && status !== 'revoked') {
    throw malformed(`${at}.status`, 'must be active, retired or revoked');
  }
  const notBefore = time(k['not_before'], `${at}.not_before`, 'ceil');
  // An absent not_after reads as null (open-ended), the same as the spec's explicit null.
  const notAfter = k['not_after'] === null || k['not_after'] === undefined ? null : time(k['not_after'], `${at}.not_after`);
  if (notAfter !== null && notAfter < notBefore) throw malformed(`${at}.not_after`, 'is before not_before');
  const revokedAt = k['revoked_at'] === undefined ? undefined : time(k['revoked_at'], `${at}.revoked_at`);
  if (revokedAt !== undefined && status !== 'revoked') throw malformed(`${at}.revoked_at`, 'only a revoked key has revoked_at');
  const document: KeySetDocumentKey = {
    kid: k['kid'], kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', x: k['x'],
    not_before: k['not_before'] as string, not_after: notAfter === null ? null : (k['not_after'] as string), status,
  };
  if (revokedAt !== undefined) document.revoked_at = k['revoked_at'] as string;
  return { kid: k['kid'], publicKey, status, notBefore, notAfter, revokedAt, document };
}
