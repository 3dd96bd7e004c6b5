// A v1/v2 receipt is tied to its call only by request_id (and buyer). When a call_api tool error
// names no request_id, a genuine receipt of an earlier call beside it must not be kept as valid
// (nor, in `mcp serve`, settle the budget with its amount).
import { http } from 'msw';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useInProcessMock } from '../../helpers/mock.js';
import { cli, isolatedEnv } from '../../helpers/run.js';
import { keptLogFile, trailLines } from '../../helpers/trail.js';

describe('mcp call: a v1/v2 receipt beside an answer without request_id (public profile)', () => {
  const ctx = useInProcessMock('cli-mcp-no-request-id', 'public');
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    ctx.mock.gateway.reset();
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: ctx.origin, PROXYGATE_API_KEY: ctx.mock.demoTokens.trader });
  });
  afterEach(async () => {
    ctx.server.resetHandlers();
    await env.restore();
  });

  it('a replayed earlier receipt in a tool error is kept as content_mismatch on request_id, not valid', async () => {
    const echo = await cli(['mcp', 'call', 'call_api', '--arg', `listing_id=${ctx.mock.gateway.listing('echo').id}`, '--arg', 'path=/echo']);
    expect(echo.exitCode).toBe(0);
    const [earlier] = await trailLines(keptLogFile(env.dir));
    expect(earlier?.verdict.valid).toBe(true);
    expect(JSON.parse(earlier!.receipt).receipt_version ?? 1).toBeLessThan(3);
    const replayed = Buffer.from(earlier!.receipt).toString('base64');

    // A relay answers the next call_api with a failure that names no request_id and the old receipt.
    ctx.server.use(
      http.post(`${ctx.origin}/mcp`, async ({ request }) => {
        const message = (await request.clone().json()) as { id?: number; method?: string; params?: { name?: string } };
        if (message.method !== 'tools/call' || message.params?.name !== 'call_api') return undefined;
        const body = { error: 'upstream_error', message: 'the upstream failed', status: 502, receipt: replayed };
        return Response.json({ jsonrpc: '2.0', id: message.id, result: { isError: true, content: [{ type: 'text', text: JSON.stringify(body) }] } });
      }),
    );
    const failed = await cli(['mcp', 'call', 'call_api', '--arg', `listing_id=${ctx.mock.gateway.listing('weather-alerts').id}`, '--arg', 'path=/alerts']);
    const kept = await trailLines(keptLogFile(env.dir));
    expect(kept).toHaveLength(2);
    expect(kept[1]?.verdict).toMatchObject({ valid: false, reason: 'content_mismatch', field: 'request_id' });
    expect(kept[1]?.verdict.message).toContain('named no request_id');
    expect(failed.exitCode).not.toBe(0);
  });
});
