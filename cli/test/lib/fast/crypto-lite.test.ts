// crypto-lite (the data path's `crypto`) against Node's WebCrypto: the same digests, random
// fills and refusals, and every other member is Node's own.
import { webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { installCryptoLite } from '../../../src/lib/fast/crypto-lite.js';

function liteCrypto(): { crypto: Crypto; loads: () => number; undo: () => void } {
  let loads = 0;
  const target: Record<string, unknown> = {};
  Object.defineProperty(target, 'crypto', {
    configurable: true,
    enumerable: true,
    get: () => {
      loads++;
      return webcrypto;
    },
  });
  const undo = installCryptoLite(target);
  return { crypto: target['crypto'] as Crypto, loads: () => loads, undo };
}

const hex = (buffer: ArrayBuffer) => Buffer.from(buffer).toString('hex');
const outcome = (promise: Promise<ArrayBuffer>) => promise.then((b) => `ok ${b.constructor.name} ${hex(b)}`, (e: Error) => `rejected ${e.name}: ${e.message}`);

describe('crypto-lite', () => {
  it('digests what WebCrypto digests, to the same bytes, without loading it', async () => {
    const { crypto, loads } = liteCrypto();
    const data = new TextEncoder().encode('proxygate receipt bytes');
    const inputs: Array<[string, BufferSource]> = [
      ['Uint8Array', data],
      ['a view with an offset', new Uint8Array(data.buffer, 3, 7)],
      ['ArrayBuffer', data.buffer.slice(0)],
      ['DataView', new DataView(data.buffer, 1, 5)],
      ['Int32Array', new Int32Array([1, -2, 3])],
      ['empty', new Uint8Array(0)],
    ];
    for (const algorithm of ['SHA-256', 'sha-256', 'SHA-1', 'SHA-384', 'SHA-512']) {
      for (const [label, input] of inputs) {
        expect(await outcome(crypto.subtle.digest(algorithm, input)), `${algorithm} ${label}`).toBe(await outcome(webcrypto.subtle.digest(algorithm, input)));
      }
    }
    expect(loads()).toBe(0);
  });

  it('hands WebCrypto what it does not do itself, with WebCrypto\'s answer', async () => {
    const { crypto, loads } = liteCrypto();
    const cases: Array<[unknown, unknown]> = [
      [{ name: 'SHA-256' }, new Uint8Array([1])],
      ['MD5', new Uint8Array([1])],
      ['SHA-256', 'a string'],
      ['SHA-256', new SharedArrayBuffer(4)],
      ['SHA-256', undefined],
    ];
    for (const [algorithm, data] of cases) {
      const ours = await outcome((crypto.subtle.digest as (...a: unknown[]) => Promise<ArrayBuffer>)(algorithm, data));
      const theirs = await outcome((webcrypto.subtle.digest as (...a: unknown[]) => Promise<ArrayBuffer>)(algorithm, data));
      expect(ours, JSON.stringify(algorithm)).toBe(theirs);
    }
    expect(loads()).toBeGreaterThan(0);
  });

  it('random values and UUIDs as WebCrypto gives them; refusals are WebCrypto\'s', () => {
    const { crypto, loads } = liteCrypto();
    const array = new Uint32Array(8);
    expect(crypto.getRandomValues(array)).toBe(array);
    expect(array.some((v) => v !== 0)).toBe(true);
    expect(crypto.randomUUID()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(loads()).toBe(0);
    for (const bad of [new Float64Array(2), new Uint8Array(65_537), new DataView(new ArrayBuffer(4))]) {
      const ours = (() => { try { crypto.getRandomValues(bad as Uint8Array); return 'filled'; } catch (e) { return `${(e as Error).name}: ${(e as Error).message}`; } })();
      const theirs = (() => { try { webcrypto.getRandomValues(bad as Uint8Array); return 'filled'; } catch (e) { return `${(e as Error).name}: ${(e as Error).message}`; } })();
      expect(ours, bad.constructor.name).toBe(theirs);
    }
  });

  it('every other member is Node\'s WebCrypto (an Ed25519 key imported and a signature checked), and it undoes itself', async () => {
    const { crypto, undo } = liteCrypto();
    const pair = (await webcrypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const raw = await webcrypto.subtle.exportKey('raw', pair.publicKey);
    const message = new Uint8Array([1, 2, 3]);
    const signature = await webcrypto.subtle.sign({ name: 'Ed25519' }, pair.privateKey, message);
    const key = await crypto.subtle.importKey('raw', raw, { name: 'Ed25519' }, false, ['verify']);
    expect(await crypto.subtle.verify({ name: 'Ed25519' }, key, signature, message)).toBe(true);
    expect(typeof crypto.subtle.encrypt).toBe('function');
    undo();
  });
});
