// `no_keys` (a receipt that could not be checked: nothing to check it against) is neither valid nor
// a receipt that failed: a strict block says which one its refund rests on, and the trail's later
// verdict (a key pinned on first use) wins over the SDK's no_keys.
import { join } from 'node:path';
import { APIError, ShieldBlockedError } from '@proxygate-kit/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callFailure } from '../src/lib/call-summary.js';
import { toCliError } from '../src/lib/errors.js';
import { ExitCode } from '../src/lib/exit-codes.js';
import { loadMoney } from '../src/lib/money.js';
import { useInProcessMock } from './helpers/mock.js';
import { cli, isolatedEnv } from './helpers/run.js';

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

describe.each(['extended', 'public'] as const)('call --shield strict on the %s mock, first use (nothing pinned yet)', (profile) => {
  const ctx = useInProcessMock(`cli-no-keys-${profile}`, profile);
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    ctx.mock.gateway.reset();
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: ctx.origin, PROXYGATE_API_KEY: ctx.mock.demoTokens.trader });
  });
  afterEach(() => env.restore());

  it('the SDK had no keys, the trail pinned and verified the refund receipt: the line says the refund is proven', async () => {
    const r = await cli(['call', 'product-reviews', '/reviews', '--query', 'product=x', '--shield', 'strict', '--receipts', join(env.dir, 'b.jsonl')]);
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toMatch(/^pinned the receipt keys of /);
    expect(r.stderr).toMatch(/^shield_blocked: .*\(its verified receipt refunds the charge; the response is withheld; its receipt was saved to /m);
  });
});
