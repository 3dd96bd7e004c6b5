import { createPublicKey, verify } from 'node:crypto';
import { createNodeBackend, type Ed25519Backend, type NodeCryptoLike } from './backends.js';

/**
 * node:crypto's Ed25519 verifier, bound statically. `backend: nodeCryptoBackend` skips the
 * runtime detection of `auto`, whose dynamic import starts Node's ESM loader: worth ~5 ms to a
 * CommonJS tool that verifies one receipt per process (the CLI's start-up path).
 */
export const nodeCryptoBackend: Ed25519Backend = createNodeBackend({ createPublicKey, verify } as NodeCryptoLike);
