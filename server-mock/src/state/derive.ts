import { sha256 } from '../crypto/hash.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Everything random in the mock (keys, token secrets, ids) comes from SHA-256(seed, label), so a
 * seed reproduces a whole session byte for byte. Labels must be unique per use.
 */
export class SeedDerivation {
  constructor(readonly seed: string) {}

  bytes(label: string): Uint8Array {
    return sha256(`proxygate-mock\n${this.seed}\n${label}`);
  }

  base62(label: string, length: number): string {
    let out = '';
    let round = 0;
    while (out.length < length) {
      let value = 0n;
      for (const byte of this.bytes(`${label}#${round++}`)) value = (value << 8n) | BigInt(byte);
      // 32 base62 digits use ~190 of the 256 bits, so the digits stay uniform enough for a mock.
      for (let i = 0; i < 32 && out.length < length; i++) {
        out += BASE62[Number(value % 62n)];
        value /= 62n;
      }
    }
    return out;
  }

  id(prefix: string, label: string): string {
    return `${prefix}${this.base62(`id:${prefix}:${label}`, 20)}`;
  }
}
