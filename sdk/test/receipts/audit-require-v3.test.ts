// auditStream's requireV3: a v1/v2 receipt is a `downgrade` finding (decided on the receipt the
// audit parses), not verified and not summed; v3 receipts are audited as usual.
import { describe, expect, it } from 'vitest';
import { KeySet, auditStream } from '../../src/receipts/index.js';
import { chain, docKey, keyDocument, makeKey, signV1 } from './signer.js';

const k1 = makeKey('k1');
const platform = makeKey('platform');
const keys = KeySet.fromDocument(keyDocument([docKey(k1)], { platform }));
const v3 = chain(k1, 3, 'tok_a');
const v1 = signV1(platform, { request_id: 'v1_0', buyer: 'wallet_w', seller: 's', amount: 100, timestamp: 1_700_000_000 });
const lines = [v3[0], v1, v3[1], v3[2]].map((r) => JSON.stringify(r)).join('\n');

describe('auditStream requireV3', () => {
  it('without it a v1 receipt is verified and summed', async () => {
    const report = await auditStream({ name: 'log.jsonl', lines: [lines] }, { keys });
    expect(report.counts).toMatchObject({ receipts: 4, valid: 4, invalid: 0 });
  });

  it('with it a v1 receipt is a downgrade at its line, with the reason given; the chain is whole', async () => {
    const report = await auditStream({ name: 'log.jsonl', lines: [lines] }, { keys, requireV3: { because: 'v3 is required here' } });
    expect(report.counts).toMatchObject({ receipts: 4, valid: 3, invalid: 1 });
    expect(report.issues).toEqual([
      expect.objectContaining({ reason: 'downgrade', field: 'receipt_version', source: 'log.jsonl', line: 2, request_id: 'v1_0' }),
    ]);
    expect(report.issues[0]!.message).toBe('a v1 receipt binds neither the request nor the response, and v3 is required here: refused as a downgrade');
    expect(report.issues_by_reason).toEqual({ downgrade: 1 });
    expect(report.legacy).toEqual([]);
    expect(report.spend.total).toBe(String(v3.reduce((s, r) => s + BigInt(r.amount), 0n)));
  });
});
