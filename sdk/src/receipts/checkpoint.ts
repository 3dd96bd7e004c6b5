import type { Ed25519Backend } from './backends.js';
import { bytesEqual, fromBase64, utf8Bytes } from './encoding.js';
import { sha256 } from './hashes.js';
import type { KeySet } from './key-set.js';
import type { ReasonCode } from './errors.js';
import { parseRfc3339 } from './time.js';

/** The signed head of the receipt log (`GET /v1/receipts` → `head`). */
export interface LogHead {
  origin: string;
  tree_size: number;
  /** base64 of the RFC 9162 root hash. */
  root_hash: string;
  timestamp: string;
  kid: string;
  /** C2SP signed note: the four lines above, a blank line, then `— <kid> <base64(key hash || signature)>`. */
  checkpoint: string;
}

export type CheckpointResult = { ok: true } | { ok: false; reason: ReasonCode; field: string; message: string };

const EM_DASH = '\u2014';

/** First 4 bytes of SHA-256(kid || "\n" || 0x01 || public key): the C2SP key hash for Ed25519. */
export async function checkpointKeyHash(kid: string, publicKey: Uint8Array): Promise<Uint8Array> {
  const name = utf8Bytes(kid + '\n');
  const input = new Uint8Array(name.length + 1 + publicKey.length);
  input.set(name, 0);
  input[name.length] = 0x01;
  input.set(publicKey, name.length + 1);
  return (await sha256(input)).subarray(0, 4);
}

/**
 * Verifies a log head: the checkpoint body must restate the head's fields, and one signature
 * line by `head.kid` must verify over the body with that key, valid at the head's timestamp.
 */
export async function verifyCheckpoint(head: LogHead, keys: KeySet, backend: Ed25519Backend, field = 'head'): Promise<CheckpointResult> {
  const bad = (reason: ReasonCode, sub: string, message: string): CheckpointResult => ({ ok: false, reason, field: `${field}.${sub}`, message });
  if (typeof head !== 'object' || head === null || typeof head.checkpoint !== 'string') return bad('malformed', 'checkpoint', 'missing checkpoint');
  if (!Number.isSafeInteger(head.tree_size) || head.tree_size < 0) return bad('malformed', 'tree_size', 'must be a non-negative integer');
  const headTime = typeof head.timestamp === 'string' ? parseRfc3339(head.timestamp) : undefined;
  if (headTime === undefined) return bad('malformed', 'timestamp', 'must be an RFC 3339 timestamp');
  const root = typeof head.root_hash === 'string' ? fromBase64(head.root_hash) : undefined;
  if (!root || root.length !== 32) return bad('malformed', 'root_hash', 'must be base64 of 32 bytes');
  const split = head.checkpoint.indexOf('\n\n');
  if (split < 0) return bad('malformed', 'checkpoint', 'no blank line between body and signatures');
  const body = head.checkpoint.slice(0, split + 1);
  const expectedBody = `${head.origin}\n${head.tree_size}\n${head.root_hash}\n${head.timestamp}\n`;
  if (body !== expectedBody) return bad('malformed', 'checkpoint', 'checkpoint body does not restate origin, tree_size, root_hash and timestamp');
  const key = keys.get(head.kid);
  if (!key) return bad('unknown_key', 'kid', `no key ${JSON.stringify(head.kid)} in the pinned key set`);
  const keyHash = await checkpointKeyHash(head.kid, key.publicKey);
  let sawLine = false;
  for (const line of head.checkpoint.slice(split + 2).split('\n')) {
    if (!line) continue;
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m || !line.startsWith(EM_DASH)) return bad('malformed', 'checkpoint', 'bad signature line');
    if (m[1] !== head.kid) continue;
    const blob = fromBase64(m[2]!);
    if (!blob || blob.length !== 68 || !bytesEqual(blob.subarray(0, 4), keyHash)) continue;
    sawLine = true;
    if (await backend.verify(key.publicKey, utf8Bytes(body), blob.subarray(4))) {
      const judgement = keys.judge(head.kid, headTime);
      if (!judgement.ok) return bad(judgement.reason, 'timestamp', judgement.message);
      return { ok: true };
    }
  }
  return sawLine
    ? bad('bad_signature', 'checkpoint', 'checkpoint signature does not verify')
    : bad('unknown_key', 'checkpoint', `no signature line by ${head.kid} with a matching key hash`);
}
