import type { CheckedKeyStore, KeySet } from '@proxygate-kit/sdk/receipts';
import { checkedKeys as processCheckedKeys } from './checked-keys.js';
import { UsageError } from './errors.js';
import { readTextFile } from './input.js';
import { loadReceiptsSdk } from './sdk-loader.js';

/**
 * The pinned keys: `--keys FILE` (a saved `/.well-known/proxygate-receipt-keys` document) or
 * `--pin KID=KEY` (repeatable; `platform=` and `receipt-ca=` pin the v1/v2 base58 keys).
 * Never fetched: verification is offline by design.
 */
export async function loadPinnedKeys(keysFlag: string | undefined, pins: readonly string[], checkedKeys: CheckedKeyStore | undefined = processCheckedKeys()): Promise<KeySet> {
  const { KeySet, KeySetError } = await loadReceiptsSdk();
  // PROXYGATE_RECEIPT_KEYS names a pinned key-set file for CI jobs; flags win over it.
  const fromEnv = process.env['PROXYGATE_RECEIPT_KEYS'];
  const keysFile = keysFlag ?? (pins.length === 0 && fromEnv ? fromEnv : undefined);
  if (!keysFile && pins.length === 0) {
    throw new UsageError('no keys to verify against', 'pass --keys keys.json (from "proxygate receipts keys export"), --pin KID=KEY, or set PROXYGATE_RECEIPT_KEYS');
  }
  try {
    if (keysFile) {
      if (pins.length > 0) throw new UsageError('use either --keys or --pin, not both');
      const text = await readTextFile(keysFile).catch((error: unknown) => {
        // The command line shows no --keys: say where the path came from.
        if (keysFlag === undefined && error instanceof UsageError) throw new UsageError(`${error.message}, named by PROXYGATE_RECEIPT_KEYS`, error.action);
        throw error;
      });
      return KeySet.fromDocument(text, { checkedKeys });
    }
    const keys: Array<{ kid: string; publicKey: string }> = [];
    const extra: { platformPubkey?: string; receiptCaPubkey?: string } = {};
    for (const pin of pins) {
      const at = pin.indexOf('=');
      if (at <= 0) throw new UsageError(`--pin expects KID=KEY, got "${pin.slice(0, 24)}"`);
      const kid = pin.slice(0, at);
      const key = pin.slice(at + 1);
      if (kid === 'platform') extra.platformPubkey = key;
      else if (kid === 'receipt-ca') extra.receiptCaPubkey = key;
      else keys.push({ kid, publicKey: key });
    }
    return KeySet.fromKeys(keys, extra, { checkedKeys });
  } catch (error) {
    if (error instanceof KeySetError) {
      // Say which keys: the file named (by --keys or PROXYGATE_RECEIPT_KEYS) or the --pin values.
      if (!keysFile) throw new UsageError(`the --pin keys are not usable: ${error.message}`, 'give each as KID=KEY: base58, base64 or base64url of the 32-byte public key');
      const named = keysFlag === undefined ? `${keysFile} (named by PROXYGATE_RECEIPT_KEYS)` : keysFile;
      throw new UsageError(`the keys in ${named} are not usable: ${error.message}`, `export them again ("proxygate receipts keys export > ${keysFile}")`);
    }
    if (error instanceof Error && error.name === 'SyntaxError') throw new UsageError(`${keysFile ?? '--pin'} is not valid JSON`);
    throw error;
  }
}
