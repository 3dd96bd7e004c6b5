// `mcp call --allow-legacy-receipts` is `call --allow-legacy-receipts`: a gateway that signs v3
// receipts answering a token it keeps on v1 receipts is a downgrade by default (exit 1), accepted
// with the flag. The refusal says what happened (the signature verified; the receipt is only older
// than the gateway signs) and names the flag, for call and mcp call alike.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useInProcessMock } from '../../helpers/mock.js';
import { cli, isolatedEnv } from '../../helpers/run.js';
import { keptLogFile, trailLines } from '../../helpers/trail.js';

const REFUSAL = /^receipt_invalid: the receipt is v1, older than the v3 receipts this gateway signs: a downgrade \(its signature verified.*\(if the gateway keeps this token on legacy receipts, pass --allow-legacy-receipts/m;

describe('mcp call --allow-legacy-receipts (extended mock: advertises receipt_v3, the token gets v1 receipts)', () => {
  const ctx = useInProcessMock('cli-mcp-allow-legacy');
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    ctx.mock.gateway.reset();
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: ctx.origin, PROXYGATE_API_KEY: ctx.mock.demoTokens.traderV1 });
  });
  afterEach(() => env.restore());

  it('a v1 receipt is a downgrade without the flag (exit 1, worded as what happened) and valid with it', async () => {
    const args = ['mcp', 'call', 'call_api', '--arg', `listing_id=${ctx.mock.gateway.listing('weather-current').id}`, '--arg', 'path=/current'];
    const refused = await cli(args);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/^receipt: INVALID \(downgrade\)/m);
    expect(refused.stderr).toMatch(REFUSAL);
    expect(refused.stderr).not.toContain('did not verify');
    const accepted = await cli([...args, '--allow-legacy-receipts']);
    expect(accepted.exitCode).toBe(0);
    expect(accepted.stderr).toMatch(/^receipt: valid/m);
    const kept = await trailLines(keptLogFile(env.dir));
    expect(kept.map((l) => [l.verdict.reason, JSON.parse(l.receipt).receipt_version ?? 1])).toEqual([
      ['downgrade', 1],
      ['valid', 1],
    ]);
  });

  it('call words the downgrade the same way', async () => {
    const refused = await cli(['call', 'weather-current', '/current']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(REFUSAL);
    expect(refused.stderr).not.toContain('did not verify');
  });
});
