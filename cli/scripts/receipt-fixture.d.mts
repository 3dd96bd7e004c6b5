/** Writes `keys.json` and `receipt.json` (one signed v3 receipt) into `dir` and returns their paths. */
export function writeReceiptFixture(dir: string): { keys: string; receipt: string };
