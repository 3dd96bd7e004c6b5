// The process's `crypto` for the data path: the SDK hashes a paid call's request and answer with
// `crypto.subtle.digest('SHA-256', bytes)`, whose first use loads Node's WebCrypto (~3-4 ms of a
// command that starts in ~60) to run a hash node:crypto does at once. Here `digest` of SHA-1/256/
// 384/512 over plain bytes, `getRandomValues` of an integer array and `randomUUID` are
// node:crypto's, with the same results; anything else (another algorithm, other input, every
// other `crypto.subtle` method) is Node's WebCrypto, loaded then. A test compares both.
import { createHash, randomFillSync, randomUUID } from 'node:crypto';

const DIGESTS: Readonly<Record<string, string>> = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
const RANDOM_TYPES = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, BigInt64Array, BigUint64Array];

/** Bytes `digest` hashes itself: an ArrayBuffer or a view of one (not shared memory). */
function plainBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data) && data.buffer instanceof ArrayBuffer) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

/** Installs it on `target` (globalThis); returns the undo. */
export function installCryptoLite(target: Record<string, unknown> = globalThis as unknown as Record<string, unknown>): () => void {
  const original = Object.getOwnPropertyDescriptor(target, 'crypto');
  if (!original) return () => undefined;
  let node: Crypto | undefined;
  const webCrypto = (): Crypto => (node ??= (original.get ? original.get.call(target) : original.value) as Crypto);
  const forward = (object: object, key: PropertyKey): unknown => {
    const value = Reflect.get(object, key) as unknown;
    // Methods stay bound to Node's objects (WebCrypto checks its receiver).
    return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
  };

  function digest(algorithm: unknown, data: unknown, ...rest: unknown[]): Promise<ArrayBuffer> {
    const hash = typeof algorithm === 'string' ? DIGESTS[algorithm.toUpperCase()] : undefined;
    const bytes = plainBytes(data);
    if (!hash || !bytes || rest.length > 0) return (webCrypto().subtle.digest as (...args: unknown[]) => Promise<ArrayBuffer>)(algorithm, data, ...rest);
    const out = createHash(hash).update(bytes).digest();
    return Promise.resolve(out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength) as ArrayBuffer);
  }

  function getRandomValues<T extends ArrayBufferView | null>(array: T, ...rest: unknown[]): T {
    const ours = rest.length === 0 && RANDOM_TYPES.some((type) => array instanceof type) && (array as ArrayBufferView).byteLength <= 65_536;
    if (!ours) return (webCrypto().getRandomValues as (...args: unknown[]) => T)(array, ...rest);
    randomFillSync(array as unknown as NodeJS.ArrayBufferView);
    return array;
  }

  const subtle = new Proxy({} as SubtleCrypto, { get: (_target, key) => (key === 'digest' ? digest : forward(webCrypto().subtle, key)) });
  const lite = new Proxy({} as Crypto, {
    get: (_target, key) => {
      if (key === 'subtle') return subtle;
      if (key === 'getRandomValues') return getRandomValues;
      if (key === 'randomUUID') return () => randomUUID();
      return forward(webCrypto(), key);
    },
  });
  Object.defineProperty(target, 'crypto', { value: lite, writable: true, configurable: true, enumerable: original.enumerable ?? true });
  return () => Object.defineProperty(target, 'crypto', original);
}
