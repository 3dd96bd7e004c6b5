import { base58Encode } from '../crypto/base58.js';
import { Ed25519Key } from '../crypto/ed25519.js';
import { sha256Hex, toBase64Url } from '../crypto/hash.js';
import { canonicalize } from '../crypto/jcs.js';
import { GatewayError } from './errors.js';
import type { SeedDerivation } from './derive.js';
import type { KeySetEndorsement, ReceiptKey, ReceiptKeySet } from './types.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Domain separation of key-set endorsements (spec: KeySet.endorsements): the signed bytes are
 * this prefix and the JCS of the document without `endorsements`, so no receipt, log head or
 * other signed text of the same keys can ever read as an endorsement.
 */
export const KEY_SET_ENDORSEMENT_PREFIX = 'proxygate-key-set-endorsement:v1\n';

/** The bytes an endorsement signs: the prefix, then JCS of the document minus `endorsements`. */
export function endorsementMessage(document: Omit<ReceiptKeySet, 'endorsements'> & { endorsements?: unknown }): string {
  const { endorsements: _dropped, ...rest } = document;
  return `${KEY_SET_ENDORSEMENT_PREFIX}${canonicalize(rest)}`;
}

export interface ReceiptSigningKey {
  kid: string;
  key: Ed25519Key;
  notBefore: Date;
  notAfter: Date | null;
  status: 'active' | 'retired' | 'revoked';
  revokedAt: Date | null;
}

export interface RotateKeysOptions {
  /** Default true: every key not revoked endorses the new set. False: only the new key signs it. */
  endorse?: boolean;
  /** Also replace the v1 platform key (what `/health` serves as `platform_pubkey`). */
  platform?: boolean;
}

export interface RotateKeysResult {
  retired: string;
  active: string;
  endorsed: boolean;
  platform_pubkey: string;
}

export interface EphemeralKey {
  key: Ed25519Key;
  /** Unix seconds, as the v2 delegation carries them. */
  notBefore: number;
  notAfter: number;
  /** The CA's signature over the delegation, base64. */
  caSignature: string;
}

/**
 * All signing keys of the mock: the v3 receipt keys (rotatable, revocable), the v1 platform key,
 * and the v2 receipt CA with its short-lived ephemeral keys.
 */
export class Keyring {
  private platformKey: Ed25519Key;
  private platformCount = 1;
  readonly receiptCa: Ed25519Key;
  private readonly receiptKeys: ReceiptSigningKey[] = [];
  /**
   * Kids whose keys endorse the published key set; undefined: every key not revoked. After a
   * rotation with `endorse: false` only the new key signs, so no earlier pin can take it in.
   */
  private endorsers: Set<string> | undefined;
  private ephemeral: EphemeralKey | null = null;
  private ephemeralCount = 0;

  constructor(
    private readonly derive: SeedDerivation,
    createdAt: Date,
  ) {
    this.platformKey = new Ed25519Key(derive.bytes('platform-key'));
    this.receiptCa = new Ed25519Key(derive.bytes('receipt-ca-key'));
    // A day of slack so receipts stamped by a test clock set slightly back still verify.
    this.addReceiptKey(new Date(createdAt.getTime() - DAY_MS));
  }

  private addReceiptKey(notBefore: Date): ReceiptSigningKey {
    const index = this.receiptKeys.length + 1;
    const key = new Ed25519Key(this.derive.bytes(`receipt-key:${index}`));
    const record: ReceiptSigningKey = {
      kid: `pgk-${index}-${sha256Hex(key.publicKey).slice(0, 8)}`,
      key,
      notBefore,
      notAfter: null,
      status: 'active',
      revokedAt: null,
    };
    this.receiptKeys.push(record);
    return record;
  }

  /** The key that signs v1 receipts (`/health` `platform_pubkey`). */
  get platform(): Ed25519Key {
    return this.platformKey;
  }

  get active(): ReceiptSigningKey {
    const active = this.receiptKeys.find((record) => record.status === 'active');
    if (!active) throw new Error('keyring invariant: no active receipt key');
    return active;
  }

  /**
   * Retires the active key (its window closes now) and activates a fresh one. The published set
   * stays endorsed by every key not revoked (the old keys vouch for the new one) unless
   * `endorse` is false: then only the new key signs it. `platform` replaces the v1 platform key
   * too, which nothing endorses on a gateway without the key-set document.
   */
  rotate(now: Date, options: RotateKeysOptions = {}): RotateKeysResult {
    const old = this.active;
    old.status = 'retired';
    old.notAfter = now;
    const next = this.addReceiptKey(now);
    const endorsed = options.endorse !== false;
    this.endorsers = endorsed ? undefined : new Set([next.kid]);
    if (options.platform) this.platformKey = new Ed25519Key(this.derive.bytes(`platform-key:${++this.platformCount}`));
    return { retired: old.kid, active: next.kid, endorsed, platform_pubkey: base58Encode(this.platformKey.publicKey) };
  }

  /** Revokes a key; revoking the active key rotates first so signing never stops. */
  revoke(kid: string, now: Date): ReceiptSigningKey {
    const record = this.receiptKeys.find((candidate) => candidate.kid === kid);
    if (!record) throw new GatewayError(404, { error: 'not_found', message: `No receipt key ${kid}.` });
    if (record.status === 'active') this.rotate(now);
    if (record.status !== 'revoked') {
      record.status = 'revoked';
      record.revokedAt = now;
    }
    return record;
  }

  /** The v2 ephemeral key valid at `seconds` (Unix), certified by the CA for a one-day window. */
  ephemeralAt(seconds: number): EphemeralKey {
    const current = this.ephemeral;
    if (current && current.notBefore <= seconds && seconds <= current.notAfter) return current;
    const key = new Ed25519Key(this.derive.bytes(`ephemeral-key:${++this.ephemeralCount}`));
    const notBefore = seconds - 60 * 60;
    const notAfter = notBefore + DAY_MS / 1000;
    // Certificate bytes: these four keys in this order, integers as integers.
    const delegation = {
      ephemeral_pubkey: base58Encode(key.publicKey),
      not_after: notAfter,
      not_before: notBefore,
      purpose: 'proxygate-receipt',
    };
    const caSignature = Buffer.from(this.receiptCa.sign(JSON.stringify(delegation))).toString('base64');
    this.ephemeral = { key, notBefore, notAfter, caSignature };
    return this.ephemeral;
  }

  /** The published key set, with the endorsements of its current endorsers. */
  keySet(issuer: string): ReceiptKeySet {
    const document = this.unsignedKeySet(issuer);
    const message = endorsementMessage(document);
    const endorsements: KeySetEndorsement[] = this.receiptKeys
      .filter((record) => record.status !== 'revoked' && (this.endorsers === undefined || this.endorsers.has(record.kid)))
      .map((record) => ({ kid: record.kid, signature: Buffer.from(record.key.sign(message)).toString('base64') }));
    return { ...document, endorsements };
  }

  /** The platform and receipt-CA public keys (base58), as `/health` publishes them: no signing needed. */
  publicKeys(): { platform_pubkey: string; receipt_ca_pubkey: string } {
    return { platform_pubkey: base58Encode(this.platformKey.publicKey), receipt_ca_pubkey: base58Encode(this.receiptCa.publicKey) };
  }

  private unsignedKeySet(issuer: string): Omit<ReceiptKeySet, 'endorsements'> {
    return {
      issuer,
      keys: this.receiptKeys.map((record): ReceiptKey => ({
        kid: record.kid,
        kty: 'OKP',
        crv: 'Ed25519',
        alg: 'EdDSA',
        x: toBase64Url(record.key.publicKey),
        not_before: record.notBefore.toISOString(),
        not_after: record.notAfter ? record.notAfter.toISOString() : null,
        status: record.status,
        ...(record.revokedAt ? { revoked_at: record.revokedAt.toISOString() } : {}),
      })),
      ...this.publicKeys(),
    };
  }
}
