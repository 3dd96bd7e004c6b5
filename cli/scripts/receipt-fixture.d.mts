/** Writes `keys.json` and `receipt.json` (one signed v3 receipt) into `dir` and returns their paths. */
export function writeReceiptFixture(dir: string): { keys: string; receipt: string };

/** Writes `receipt-v1.json` (one signed v1 receipt, integer amount and timestamp) into `dir`; returns it and the base58 platform key. */
export function writeV1ReceiptFixture(dir: string): { receipt: string; platformPubkey: string; requestId: string };
