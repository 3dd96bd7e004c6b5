import { canonicalize } from './jcs.js';
import { utf8Bytes } from './encoding.js';
import { sha256 } from './hashes.js';
import type { Receipt } from './types.js';

/** RFC 9162 leaf hash of a log entry: SHA-256(0x00 || JCS(receipt with signature)). */
export async function receiptLeafHash(receipt: Receipt): Promise<Uint8Array> {
  const body = utf8Bytes(canonicalize(receipt));
  const input = new Uint8Array(body.length + 1);
  input[0] = 0x00;
  input.set(body, 1);
  return sha256(input);
}

async function node(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  const input = new Uint8Array(65);
  input[0] = 0x01;
  input.set(left, 1);
  input.set(right, 33);
  return sha256(input);
}

/**
 * RFC 9162 §2.1.1 Merkle tree hash over leaf hashes in order. Built left to right with a stack
 * of complete subtrees, which gives the same tree as the recursive split at the largest power
 * of two below n. The empty tree hashes to SHA-256 of nothing.
 */
export async function merkleRoot(leaves: readonly Uint8Array[]): Promise<Uint8Array> {
  if (leaves.length === 0) return sha256(new Uint8Array(0));
  const stack: { hash: Uint8Array; size: number }[] = [];
  for (const leaf of leaves) {
    let top = { hash: leaf, size: 1 };
    while (stack.length && stack[stack.length - 1]!.size === top.size) {
      const left = stack.pop()!;
      top = { hash: await node(left.hash, top.hash), size: left.size + top.size };
    }
    stack.push(top);
  }
  let acc = stack.pop()!.hash;
  while (stack.length) acc = await node(stack.pop()!.hash, acc);
  return acc;
}
