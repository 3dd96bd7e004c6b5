// `call --allow-legacy-receipts` is the SDK's allowLegacyReceipts: a gateway that signs v3 receipts
// answering a token it keeps on v1 receipts is a downgrade by default (exit 1, the receipt kept as
// such), and accepted with the flag, for a single call and a batch alike.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useInProcessMock } from '../../helpers/mock.js';
import { cli, isolatedEnv } from '../../helpers/run.js';
import { keptLogFile, trailLines } from '../../helpers/trail.js';

describe('--allow-legacy-receipts (extended mock: advertises receipt_v3, the token gets v1 receipts)', () => {
  const ctx = useInProcessMock('cli-allow-legacy');
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    ctx.mock.gateway.reset();
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: ctx.origin, PROXYGATE_API_KEY: ctx.mock.demoTokens.traderV1 });
  });
  afterEach(() => env.restore());

  it('a v1 receipt is a downgrade without the flag (exit 1, kept with that verdict) and valid with it', async () => {
    const refused = await cli(['call', 'echo', '/echo']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/downgrade/);
    const accepted = await cli(['call', 'echo', '/echo', '--allow-legacy-receipts']);
    expect(accepted.exitCode).toBe(0);
    expect(accepted.stderr).toMatch(/receipt: valid/);
    const kept = await trailLines(keptLogFile(env.dir));
    expect(kept.map((l) => [l.verdict.reason, JSON.parse(l.receipt).receipt_version ?? 1])).toEqual([
      ['downgrade', 1],
      ['valid', 1],
    ]);
  });

  it('applies to every line of a batch', async () => {
    const batch = join(env.dir, 'calls.jsonl');
    await writeFile(batch, `${JSON.stringify({ listing: 'echo', path: '/echo' })}\n${JSON.stringify({ listing: 'echo', path: '/echo' })}\n`);
    const refused = await cli(['call', '--batch', batch]);
    expect(refused.exitCode).toBe(1);
    const accepted = await cli(['call', '--batch', batch, '--allow-legacy-receipts']);
    expect(accepted.exitCode).toBe(0);
    const results = accepted.stdout.trim().split('\n').map((l) => JSON.parse(l) as { exit_code: number });
    expect(results.map((r) => r.exit_code)).toEqual([0, 0]);
  });
});
