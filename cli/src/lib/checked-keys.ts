// The public keys that passed the SDK's curve checks in earlier runs (canonical, not small order,
// torsion-free: a cold pure-JS scalar multiplication each), kept beside the start-up code cache by
// bin/fast-path-loader.cjs. A start-up path hands its store over here; the key sets this process
// reads (the pin of a paid call, --keys) skip the checks for keys listed in it.
import type { CheckedKeyStore } from '@proxygate-kit/sdk/receipts';

let store: CheckedKeyStore | undefined;

export function useCheckedKeys(checked: CheckedKeyStore | undefined): void {
  store = checked;
}

/** The store of this process, when a start-up path gave one. */
export function checkedKeys(): CheckedKeyStore | undefined {
  return store;
}
