import { toHex, utf8Bytes } from './encoding.js';
import { canonicalize } from './jcs.js';
import type { KeySet } from './key-set.js';
import type { Sha256 } from './sha256-sync.js';

/**
 * SHA-256 (hex) of the canonical (RFC 8785) form of `value` without its `sha256` field: the
 * integrity digest of state files and reports. It catches damage (a truncated or edited file),
 * not an author: whoever can write the file can write a matching digest too.
 */
export function sealDigest(value: object, sha256: Sha256): string {
  const { sha256: _omit, ...content } = value as { sha256?: unknown };
  return toHex(sha256(utf8Bytes(canonicalize(content))));
}

/** SHA-256 (hex) of the canonical key-set document: which keys an audit trusted. */
export function keySetFingerprint(keys: KeySet, sha256: Sha256): string {
  return toHex(sha256(utf8Bytes(canonicalize(keys.toJSON()))));
}
