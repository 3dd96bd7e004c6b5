// After a receipt key rotation, a verify or audit failing on unknown keys says how to get the keys again.
import { describe, expect, it } from 'vitest';
import { receiptInvalidFailure, unknownKeyAction } from '../../src/lib/key-rotation-hint.js';

describe('after a key rotation', () => {
  it('a verify or audit with unknown keys says to export or pin the keys again', () => {
    expect(unknownKeyAction({ bad_signature: 2 })).toBeUndefined();
    const action = unknownKeyAction({ unknown_key: 3, bad_signature: 1 });
    expect(action).toMatch(/^3 receipt\(s\) name a key the key set does not hold: if the gateway rotated its receipt keys/);
    expect(action).toContain('"proxygate receipts keys export > keys.json"');
    expect(action).toContain('"proxygate receipts keys trust"');
    expect(receiptInvalidFailure({ reason: 'unknown_key' }).action).toContain('receipts keys export');
    expect(receiptInvalidFailure({ reason: 'bad_signature' }).action).toBe('keep the response and the receipt; report the request id to the gateway');
  });
});
