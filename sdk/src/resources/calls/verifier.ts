// The client's pinned receipt keys as paid calls use them, and the verifier built from them.
import { KeySet } from '../../receipts/key-set.js';
import { verifyValidated } from '../../receipts/verify.js';
import type { KeySetLike } from '../../core/client.js';
import type { ReceiptVerifier } from './settle.js';

/**
 * A receipt verifier against `keys`: the request and (`full`) the response bytes bound. It gets
 * the receipt settle decoded (and validated), so the receipt is parsed once per call.
 */
export function verifierFor(keys: KeySet, scope: 'full' | 'request'): ReceiptVerifier {
  return (receipt, content) =>
    verifyValidated(receipt, {
      keys,
      content: {
        request: { method: content.request.method, path: content.request.path, query: content.request.query, body: content.request.body },
        ...(scope === 'full' ? { response: content.response } : {}),
      },
    });
}

/** A key set as given (a `KeySet`, or a document or its JSON), loaded once into a `KeySet`. */
export function toKeySet(keys: KeySetLike): KeySet {
  return keys instanceof KeySet ? keys : KeySet.fromDocument(keys);
}

/** The client's `keys` option, loaded once per value it holds. */
export class PinnedKeys {
  readonly #source: () => KeySetLike | undefined;
  #loaded: { source: KeySetLike; keys: KeySet } | undefined;

  constructor(source: () => KeySetLike | undefined) {
    this.#source = source;
  }

  get(): KeySet | undefined {
    const source = this.#source();
    if (source === undefined || source === null) return undefined;
    if (source instanceof KeySet) return source;
    if (this.#loaded?.source !== source) this.#loaded = { source, keys: toKeySet(source) };
    return this.#loaded.keys;
  }
}
