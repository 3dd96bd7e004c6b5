// `no_keys` (a receipt that could not be checked: nothing to check it against) is neither valid nor
// a receipt that failed: a strict block says which one its refund rests on, and the trail's later
// verdict (a key pinned on first use) wins over the SDK's no_keys.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useInProcessMock } from '../../helpers/mock.js';
import { cli, isolatedEnv } from '../../helpers/run.js';

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
