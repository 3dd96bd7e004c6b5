// A signed log head must hold every receipt issued before it (adversarial review).
import { describe, expect, it } from 'vitest';
import { KeySet, auditReceipts } from '../../src/receipts/index.js';
import { chain, docKey, keyDocument, makeKey, signHead } from './signer.js';

const k1 = makeKey('k1');
const ca = makeKey('ca');
const platform = makeKey('platform');
const keys = KeySet.fromDocument(keyDocument([docKey(k1)], { ca, platform }));

describe('a signed log head that leaves out receipts issued before it', () => {
  it('is a chain_gap for each receipt it should hold; receipts issued after it are fine', async () => {
    const receipts = chain(k1, 5); // issued 12:00:01 .. 12:00:05
    const stale = await auditReceipts(receipts, { keys, head: signHead(k1, receipts, 3, undefined, '2026-11-25T13:00:00.000Z') });
    expect(stale.head).toMatchObject({ verified: true, rootMatches: true });
    expect(stale.ok).toBe(false);
    expect(stale.issues.filter((i) => i.field === 'head.tree_size').map((i) => [i.reason, i.seq])).toEqual([['chain_gap', 4], ['chain_gap', 5]]);

    const earlier = await auditReceipts(receipts, { keys, head: signHead(k1, receipts, 3, undefined, '2026-11-25T12:00:03.500Z') });
    expect(earlier.ok).toBe(true);
    // The same millisecond is ambiguous (issued and signed at once): not flagged.
    const same = await auditReceipts(receipts, { keys, head: signHead(k1, receipts, 3, undefined, '2026-11-25T12:00:04.000Z') });
    expect(same.ok).toBe(true);
    const after = await auditReceipts(receipts, { keys, head: signHead(k1, receipts, 3, undefined, '2026-11-25T12:00:04.001Z') });
    expect(after.issues.map((i) => i.seq)).toEqual([4]);
  });
});
