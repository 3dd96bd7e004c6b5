/**
 * `@proxygate-kit/sdk/receipts/node`: Node-only helpers for receipts (worker-thread verifier
 * pool, key-set files). Everything in `@proxygate-kit/sdk/receipts` is re-exported here too.
 */
import { readFile } from 'node:fs/promises';
import { KeySet } from './key-set.js';

export * from './index.js';
export { createVerifierPool, type VerifierPool, type VerifierPoolOptions } from './pool.js';

/** Reads a saved key-set document (what `receipts keys export` writes) and validates every key. */
export async function loadKeySetFile(path: string | URL): Promise<KeySet> {
  return KeySet.fromDocument(new Uint8Array(await readFile(path)));
}
