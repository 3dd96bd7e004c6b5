/**
 * `@proxygate-kit/sdk/receipts/node`: Node-only helpers for receipts (worker-thread verifier
 * pool, key-set files). Everything in `@proxygate-kit/sdk/receipts` is re-exported here too.
 */
// node:fs, not node:fs/promises: a CommonJS bundle of this entry then loads the promises API only when used.
import { promises as fsp } from 'node:fs';
import { KeySet } from './key-set.js';

export * from './index.js';
export { nodeCryptoBackend } from './node-backend.js';
export { createVerifierPool, type VerifierPool, type VerifierPoolOptions } from './pool.js';

/** Reads a saved key-set document (what `receipts keys export` writes) and validates every key. */
export async function loadKeySetFile(path: string | URL): Promise<KeySet> {
  return KeySet.fromDocument(new Uint8Array(await fsp.readFile(path)));
}
