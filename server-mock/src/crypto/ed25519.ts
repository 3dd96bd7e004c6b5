import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

// PKCS#8 DER prefix for a raw 32-byte Ed25519 seed (RFC 8410); lets node:crypto import a derived seed.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** An Ed25519 key pair built from a 32-byte seed, so every key of the mock is reproducible. */
export class Ed25519Key {
  readonly publicKey: Uint8Array;
  private readonly privateKey: KeyObject;

  constructor(seed: Uint8Array) {
    if (seed.length !== 32) throw new RangeError('an Ed25519 seed is 32 bytes');
    this.privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    const spki = createPublicKey(this.privateKey).export({ format: 'der', type: 'spki' });
    this.publicKey = new Uint8Array(spki.subarray(SPKI_ED25519_PREFIX.length));
  }

  sign(message: string | Uint8Array): Uint8Array {
    const data = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
    return new Uint8Array(sign(null, data, this.privateKey));
  }
}

export function verifyEd25519(publicKey: Uint8Array, message: string | Uint8Array, signature: Uint8Array): boolean {
  const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: 'der', type: 'spki' });
  const data = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
  return verify(null, data, key, signature);
}
