import { ProxygateError } from '../internal/errors.js';

/** Why a receipt (or a set of receipts) failed verification. `valid` is never a reason code. */
export type ReasonCode =
  | 'malformed'
  | 'unsupported_version'
  | 'bad_signature'
  | 'unknown_key'
  | 'key_revoked'
  | 'key_not_yet_valid'
  | 'key_expired'
  | 'delegation_invalid'
  | 'content_mismatch'
  /** A v1/v2 receipt where this token's receipts are v3 (binds neither request nor response: it proves less). */
  | 'downgrade'
  | 'chain_gap'
  | 'chain_fork'
  | 'duplicate';

/** The only error the receipt parser throws: the input is not a receipt we accept. */
export class ReceiptParseError extends Error {
  override readonly name = 'ReceiptParseError';
  /** `malformed` for anything structurally wrong, `unsupported_version` for an unknown `receipt_version`. */
  readonly reason: 'malformed' | 'unsupported_version';
  /** Dotted path of the failing field (`amount`, `shield.score_bp`), or `''` for the whole document. */
  readonly field: string;

  constructor(reason: 'malformed' | 'unsupported_version', field: string, message: string) {
    super(field ? `${field}: ${message}` : message);
    this.reason = reason;
    this.field = field;
  }
}

/**
 * Why a key set cannot be loaded: `malformed_key_set` (not a key-set document: its JSON, an entry
 * or a field is wrong), `invalid_public_key` (a key that is not a strict encoding of a usable
 * Ed25519 public key), `duplicate_kid` (two keys with one kid).
 */
export type KeySetErrorCode = 'malformed_key_set' | 'invalid_public_key' | 'duplicate_kid';

/**
 * A key or key-set document that cannot be loaded. Thrown by `KeySet` constructors (and so by a
 * client given unusable `keys`), never by verification. A `ProxygateError` with a closed `code`.
 */
export class KeySetError extends ProxygateError {
  override readonly name = 'KeySetError';
  declare readonly code: KeySetErrorCode;
  /** Dotted path of the failing entry (`keys[1].x`), or `''` for the whole document. */
  readonly field: string;

  constructor(code: KeySetErrorCode, field: string, message: string) {
    super(field ? `${field}: ${message}` : message, {
      code,
      action: 'Pin the key-set document as the gateway serves it (meta.receiptKeys(), or "proxygate receipts keys export")',
    });
    this.field = field;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), field: this.field };
  }
}

/** Why a saved audit state cannot be trusted. */
export type AuditStateProblem = 'malformed' | 'unsupported_version' | 'digest_mismatch' | 'key_set_mismatch' | 'not_continuable';

/**
 * An audit state file that is refused: damaged, of another version, verified with another key
 * set, or a report that cannot become a state. Never trusted in part.
 */
export class AuditStateError extends Error {
  override readonly name = 'AuditStateError';
  constructor(readonly code: AuditStateProblem, message: string) {
    super(message);
  }
}

/** A partial audit report that cannot be merged (damaged, other key set, not a report). */
export class AuditReportError extends Error {
  override readonly name = 'AuditReportError';
  constructor(
    readonly code: 'malformed' | 'unsupported_version' | 'digest_mismatch' | 'key_set_mismatch',
    /** Which part (0-based position in the list given to the merge). */
    readonly part: number | undefined,
    message: string,
  ) {
    super(message);
  }
}
