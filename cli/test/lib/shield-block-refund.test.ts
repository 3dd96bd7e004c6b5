// `no_keys` (a receipt that could not be checked: nothing to check it against) is neither valid nor
// a receipt that failed: a strict block says which one its refund rests on, and the trail's later
// verdict (a key pinned on first use) wins over the SDK's no_keys.
import { APIError, ShieldBlockedError } from '@proxygate-kit/sdk';
import { describe, expect, it } from 'vitest';
import { callFailure } from '../../src/lib/call-summary.js';
import { toCliError } from '../../src/lib/errors.js';
import { ExitCode } from '../../src/lib/exit-codes.js';
import { loadMoney } from '../../src/lib/money.js';

/** A strict block as the SDK throws it, with the receipt details it attaches. */
function block(details: { receiptVerdict: { valid: boolean; reason: string; message?: string } | null; amount?: string }): ShieldBlockedError {
  const error = APIError.generate({ status: 422, body: { error: 'response_blocked', code: 'shield_blocked', shield_score: 0.9, shield_flags: ['prompt_injection'], refunded: true, message: 'blocked' } });
  expect(error).toBeInstanceOf(ShieldBlockedError);
  const receipt = details.amount === undefined ? null : { request_id: 'req_1', amount: details.amount, receipt_version: 3 };
  return Object.assign(error as ShieldBlockedError, { receiptVerdict: details.receiptVerdict, refundReceipt: receipt, receipt });
}

describe('a strict block says what its receipt proves about the refund', () => {
  it('no_keys: the refund is the gateway\'s word, and the reason is the missing keys, not a bad receipt', () => {
    const mapped = toCliError(block({ receiptVerdict: { valid: false, reason: 'no_keys' }, amount: '0' }));
    expect(mapped).toMatchObject({ code: 'shield_blocked', exitCode: ExitCode.shieldBlocked });
    expect(mapped.action).toBe('the gateway says the charge was refunded, but its receipt is not verified: no receipt keys ("proxygate receipts keys trust" pins them); the response is withheld');
  });

  it('a receipt that did not verify is named as such', () => {
    expect(toCliError(block({ receiptVerdict: { valid: false, reason: 'bad_signature' }, amount: '0' })).action).toBe(
      'the gateway says the charge was refunded, but its receipt did not verify (bad_signature); the response is withheld',
    );
    expect(toCliError(block({ receiptVerdict: null })).action).toBe('the gateway says the charge was refunded, but no receipt came with the block; the response is withheld');
  });

  it('a verified receipt proves the refund, or the charge', () => {
    expect(toCliError(block({ receiptVerdict: { valid: true, reason: 'valid' }, amount: '0' })).action).toBe('its verified receipt refunds the charge; the response is withheld');
    expect(toCliError(block({ receiptVerdict: { valid: true, reason: 'valid' }, amount: '1500' })).action).toBe(
      'its verified receipt CHARGES the blocked call (1500 micro-USD): it was not refunded; the response is withheld',
    );
  });

  it('the trail\'s final verdict (keys pinned after the SDK saw none) replaces the SDK\'s no_keys', async () => {
    const error = block({ receiptVerdict: { valid: false, reason: 'no_keys' }, amount: '0' });
    const failure = callFailure(error, await loadMoney(), { listing: 'x', shield: 'strict', saved: 'log.jsonl', service: undefined, startedAt: Date.now(), verdict: { valid: true, reason: 'valid' } });
    expect(failure).toMatchObject({ exitCode: ExitCode.shieldBlocked, action: 'its verified receipt refunds the charge; the response is withheld; its receipt was saved to log.jsonl' });
  });
});
