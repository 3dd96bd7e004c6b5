import { base58Encode } from '../crypto/base58.js';
import { Ed25519Key } from '../crypto/ed25519.js';
import { sha256Hex, toBase64Url } from '../crypto/hash.js';
import { GatewayError } from './errors.js';
import type { SeedDerivation } from './derive.js';
import type { ReceiptKey, ReceiptKeySet } from './types.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ReceiptSigningKey {
  kid: string;
  key: Ed25519Key;
  notBefore: Date;
  notAfter: Date | null;
  status: 'active' | 'retired' | 'revoked';
  revokedAt: Date | null;
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
  readonly platform: Ed25519Key;
  readonly receiptCa: Ed25519Key;
  private readonly receiptKeys: ReceiptSigningKey[] = [];
  private ephemeral: EphemeralKey | null = null;
  private ephemeralCount = 0;

  constructor(
    private readonly derive: SeedDerivation,
    createdAt: Date,
  ) {
    this.platform = new Ed25519Key(derive.bytes('platform-key'));
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

  get active(): ReceiptSigningKey {
    const active = this.receiptKeys.find((record) => record.status === 'active');
    if (!active) throw new Error('keyring invariant: no active receipt key');
    return active;
  }

  /** Retires the active key (its window closes now) and activates a fresh one. */
  rotate(now: Date): { retired: string; active: string } {
    const old = this.active;
    old.status = 'retired';
    old.notAfter = now;
    const next = this.addReceiptKey(now);
    return { retired: old.kid, active: next.kid };
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

  keySet(issuer: string): ReceiptKeySet {
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
      platform_pubkey: base58Encode(this.platform.publicKey),
      receipt_ca_pubkey: base58Encode(this.receiptCa.publicKey),
    };
  }
}
