import * as noble from '@noble/ed25519';
import { toBase64Url } from './encoding.js';

/**
 * One Ed25519 verifier. Public keys handed to it were validated by a {@link KeySet} (canonical,
 * not small order, torsion-free), which is what makes every backend agree on edge cases.
 */
export interface Ed25519Backend {
  readonly name: 'node' | 'webcrypto' | 'noble' | (string & {});
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean | Promise<boolean>;
}

/** `native` = node:crypto where present, else WebCrypto Ed25519; `auto` = native when available, else noble. */
export type BackendName = 'auto' | 'native' | 'node' | 'webcrypto' | 'noble';
export type BackendChoice = BackendName | Ed25519Backend;

/**
 * Pure-JS verifier: `@noble/ed25519` in its strict RFC 8032 branch (`zip215: false`), plus a
 * torsion-free R. noble checks the cofactored equation ([8]SB = [8]R + [8]kA), OpenSSL and
 * WebCrypto the cofactorless one (SB = R + kA); a signer can make them disagree with a mixed-order
 * R (rB + a small-order point). With A validated at load and R torsion-free the two are the same.
 */
export const nobleBackend: Ed25519Backend = {
  name: 'noble',
  verify(publicKey, message, signature) {
    if (signature.length !== 64 || publicKey.length !== 32) return false;
    try {
      if (!noble.Point.fromBytes(signature.subarray(0, 32), false).isTorsionFree()) return false;
    } catch {
      return false;
    }
    return noble.verifyAsync(signature, message, publicKey, { zip215: false }).catch(() => false);
  },
};

/**
 * The two node:crypto functions the native backend uses, typed structurally so this entry's
 * declarations do not need @types/node (browser projects compile against them too).
 */
export interface NodeCryptoLike {
  createPublicKey(options: { key: { kty: 'OKP'; crv: 'Ed25519'; x: string }; format: 'jwk' }): object;
  verify(algorithm: null, data: Uint8Array, key: object, signature: Uint8Array): boolean;
}

// A variable specifier keeps bundlers for browsers from trying to resolve node:crypto; the magic
// comments tell webpack and vite to leave the import to the runtime (no "expression" warning).
const NODE_CRYPTO = 'node:crypto';

async function loadNodeCrypto(): Promise<NodeCryptoLike | undefined> {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (!proc?.versions?.node) return undefined;
  try {
    return (await import(/* webpackIgnore: true */ /* @vite-ignore */ NODE_CRYPTO)) as NodeCryptoLike;
  } catch {
    return undefined;
  }
}

/** node:crypto verifier with one KeyObject cached per key (rebuilding it per call halves throughput). */
export function createNodeBackend(nodeCrypto: NodeCryptoLike): Ed25519Backend {
  const keyObjects = new WeakMap<Uint8Array, object>();
  const keyObjectFor = (publicKey: Uint8Array): object => {
    let keyObject = keyObjects.get(publicKey);
    if (!keyObject) {
      keyObject = nodeCrypto.createPublicKey({
        key: { kty: 'OKP', crv: 'Ed25519', x: toBase64Url(publicKey) },
        format: 'jwk',
      });
      keyObjects.set(publicKey, keyObject);
    }
    return keyObject;
  };
  return {
    name: 'node',
    verify(publicKey, message, signature) {
      if (signature.length !== 64 || publicKey.length !== 32) return false;
      try {
        return nodeCrypto.verify(null, message, keyObjectFor(publicKey), signature);
      } catch {
        return false;
      }
    },
  };
}

/**
 * The two WebCrypto calls the backend makes, typed structurally (as {@link NodeCryptoLike}) so
 * this entry's declarations need no DOM lib: a Node project without it compiles them too.
 * `crypto.subtle` fits.
 */
export interface SubtleLike {
  importKey(format: 'raw', keyData: Uint8Array<ArrayBuffer>, algorithm: { name: 'Ed25519' }, extractable: false, keyUsages: ['verify']): Promise<object>;
  verify(algorithm: { name: 'Ed25519' }, key: never, signature: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>): Promise<boolean>;
}

/** WebCrypto `Ed25519` verifier (browsers, Deno, workers), one imported CryptoKey per key. */
export function createWebCryptoBackend(subtle: SubtleLike = crypto.subtle): Ed25519Backend {
  const keys = new WeakMap<Uint8Array, Promise<object>>();
  return {
    name: 'webcrypto',
    async verify(publicKey, message, signature) {
      if (signature.length !== 64 || publicKey.length !== 32) return false;
      let key = keys.get(publicKey);
      if (!key) {
        key = subtle.importKey('raw', publicKey as Uint8Array<ArrayBuffer>, { name: 'Ed25519' }, false, ['verify']);
        keys.set(publicKey, key);
      }
      try {
        return await subtle.verify({ name: 'Ed25519' }, (await key) as never, signature as Uint8Array<ArrayBuffer>, message as Uint8Array<ArrayBuffer>);
      } catch {
        return false;
      }
    },
  };
}

async function webCryptoHasEd25519(): Promise<boolean> {
  try {
    const subtle = globalThis.crypto?.subtle;
    if (!subtle) return false;
    // The RFC 8032 §7.1 TEST 1 public key: any runtime with Ed25519 imports it.
    const probe = Uint8Array.from([
      0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
      0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
    ]);
    await subtle.importKey('raw', probe, { name: 'Ed25519' }, false, ['verify']);
    return true;
  } catch {
    return false;
  }
}

const cache = new Map<string, Promise<Ed25519Backend | undefined>>();

function memo(name: string, make: () => Promise<Ed25519Backend | undefined>): Promise<Ed25519Backend | undefined> {
  let p = cache.get(name);
  if (!p) {
    p = make();
    cache.set(name, p);
  }
  return p;
}

const nodeBackend = () => memo('node', async () => {
  const nodeCrypto = await loadNodeCrypto();
  return nodeCrypto ? createNodeBackend(nodeCrypto) : undefined;
});
const webBackend = () => memo('webcrypto', async () => ((await webCryptoHasEd25519()) ? createWebCryptoBackend() : undefined));

/**
 * Resolves a backend by name. `auto` (the default) picks node:crypto, then WebCrypto Ed25519,
 * then noble. Throws when a named native backend is not available in this runtime.
 */
export async function resolveBackend(choice: BackendChoice = 'auto'): Promise<Ed25519Backend> {
  if (typeof choice === 'object') return choice;
  if (choice === 'noble') return nobleBackend;
  if (choice === 'node') return orThrow(await nodeBackend(), 'node:crypto');
  if (choice === 'webcrypto') return orThrow(await webBackend(), 'WebCrypto Ed25519');
  const native = (await nodeBackend()) ?? (await webBackend());
  if (choice === 'native') return orThrow(native, 'a native Ed25519 verifier');
  return native ?? nobleBackend;
}

function orThrow(backend: Ed25519Backend | undefined, what: string): Ed25519Backend {
  if (!backend) throw new Error(`${what} is not available in this runtime`);
  return backend;
}
