/**
 * A public-gateway v1 receipt, signed by the platform key (`platform_pubkey`). `receipt_version`
 * (optional) and `signature` are outside the signed bytes.
 */
export interface ReceiptV1 {
  receipt_version?: 1;
  request_id: string;
  /** Buyer wallet (base58). */
  buyer: string;
  /** Seller wallet (base58). */
  seller: string;
  /**
   * Integer micro-USD (1e-6 USD) as it came: a JSON integer (what the gateway emits) or, in older
   * receipts, an integer string. The signed bytes reproduce it as it came.
   */
  amount: number | string;
  /**
   * As it came: a JSON integer, Unix seconds below 1e11 and milliseconds from there (see
   * `receiptTime`), or, in older receipts, a string. Signed as it came.
   */
  timestamp: number | string;
  /** base64 of the 64-byte Ed25519 signature. */
  signature: string;
}

/** The CA certificate of a v2 receipt's ephemeral key. */
export interface DelegationV2 {
  /** base58 Ed25519 public key that signs the receipt. */
  ephemeral_pubkey: string;
  /** Window start, inclusive: an integer (unit by magnitude, as `timestamp`) or RFC 3339 text. */
  not_before: number | string;
  /** Window end, inclusive; same forms. Compared with the receipt's timestamp as instants. */
  not_after: number | string;
  purpose: 'proxygate-receipt';
  /** base58; must equal the pinned CA key. */
  receipt_ca_pubkey: string;
  /** base64 CA signature over the certificate bytes. */
  signature: string;
}

/**
 * A public-gateway v2 receipt: v1 fields signed by an ephemeral key the CA certified. `timestamp`
 * is an integer (as v1) or RFC 3339 text (older receipts).
 */
export interface ReceiptV2 extends Omit<ReceiptV1, 'receipt_version'> {
  receipt_version: 2;
  delegation: DelegationV2;
}

export type ShieldMode = 'off' | 'monitor' | 'strict';
export type ShieldAction = 'allowed' | 'flagged' | 'blocked';

/** A v3 receipt: exactly these fields, all covered by the signature except `signature`. */
export interface ReceiptV3 {
  receipt_version: 3;
  kid: string;
  request_id: string;
  /** Token id of the buyer; the hash chain (`seq`, `prev`) is per buyer token. */
  buyer: string;
  seller: string;
  listing_id: string;
  service: string;
  method: string;
  path: string;
  /** Integer micro-USD (1e-6 USD) as an integer string (any size). */
  amount: string;
  currency: 'USD';
  /** RFC 3339 UTC with milliseconds. */
  timestamp: string;
  request_sha256: string;
  response_sha256: string;
  shield: { mode: ShieldMode; score_bp: number; flags: string[]; action: ShieldAction };
  seq: number;
  /** SHA-256 hex of the previous receipt's JCS bytes (with its signature); 64 zeros for seq 1. */
  prev: string;
  signature: string;
}

export type Receipt = ReceiptV1 | ReceiptV2 | ReceiptV3;

/**
 * The result of verifying one receipt. Verification never throws for a bad receipt. A union on
 * `valid` (and `reason`): narrowing on `verdict.valid` gives the receipt of a valid verdict and the
 * reason code of a failed one.
 */
export type Verdict = ValidVerdict | FailedVerdict;

/** A receipt that verified: signature, key window and (when given) content all check out. */
export interface ValidVerdict {
  valid: true;
  reason: 'valid';
  message: string;
  /** A valid verdict never blames a field. */
  field?: undefined;
  /** The receipt that verified. */
  receipt: Receipt;
  /**
   * The receipt's timestamp as interpreted (unit, instant), whenever its time names an instant.
   * Show it with `formatReceiptTime`.
   */
  time?: import('./receipt-time.js').ReceiptTime;
}

/** A receipt that failed (or could not be read): `reason` says why, `field` where. */
export interface FailedVerdict {
  valid: false;
  reason: import('./errors.js').ReasonCode;
  /** The failing field, when one is to blame (`signature`, `kid`, `delegation.not_after`). */
  field?: string;
  message: string;
  /** The parsed receipt, whenever it could be parsed. */
  receipt?: Receipt;
  /** As in {@link ValidVerdict.time}, whenever the receipt parsed and its time names an instant. */
  time?: import('./receipt-time.js').ReceiptTime;
}
