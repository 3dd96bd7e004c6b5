import { Point } from '@noble/ed25519';
import { bytesEqual } from './encoding.js';

/**
 * Why an Ed25519 public key is unfit for verification, or `undefined` when it is fit: strict
 * decoding (y < p, no x = 0 with the sign bit), the bytes re-encode to themselves, not of small
 * order, torsion-free. OpenSSL imports such keys silently; checking once here makes node:crypto,
 * WebCrypto and noble agree on every edge case.
 */
export function publicKeyProblem(bytes: Uint8Array): string | undefined {
  if (bytes.length !== 32) return `must be 32 bytes, got ${bytes.length}`;
  let point: Point;
  try {
    point = Point.fromBytes(bytes, false);
  } catch {
    return 'not a canonical Ed25519 point encoding';
  }
  // Strict decoding (y < p, no x = 0 with the sign bit) leaves one encoding per point, so the
  // bytes re-encode to themselves; checked anyway, but only off the common path below.
  // [L]P = O with P != O means order L: not small order either. One scalar multiplication in all.
  if (!point.is0() && point.isTorsionFree()) return undefined;
  if (!bytesEqual(point.toBytes(), bytes)) return 'does not re-encode to itself';
  return point.isSmallOrder() ? 'is of small order' : 'has a torsion component';
}

// v2 ephemeral keys arrive with every receipt; validating one costs a scalar multiplication.
const checked = new Map<string, string | undefined>();
const CHECKED_LIMIT = 4096;

/** {@link publicKeyProblem} memoized by key text, for keys seen repeatedly (v2 ephemeral keys). */
export function publicKeyProblemCached(text: string, bytes: Uint8Array): string | undefined {
  if (checked.has(text)) return checked.get(text);
  const problem = publicKeyProblem(bytes);
  if (checked.size >= CHECKED_LIMIT) checked.clear();
  checked.set(text, problem);
  return problem;
}
