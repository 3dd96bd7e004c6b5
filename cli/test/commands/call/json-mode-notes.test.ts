// Under `call --json` nothing is printed as received: the body goes in "body" (a JSON string when it
// is not the JSON it claims, the plain body of a non-stream answer to --stream). The notes on stderr
// say where it went in each mode.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useInProcessMock } from '../../helpers/mock.js';
import { cli, isolatedEnv } from '../../helpers/run.js';

describe('call notes under --json', () => {
  // The public profile: no idempotent replay, so the damaged answer is the one charged and kept.
  const ctx = useInProcessMock('cli-call-json-notes', 'public');
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: ctx.origin, PROXYGATE_API_KEY: ctx.mock.demoTokens.trader });
  });
  afterEach(async () => {
    ctx.mock.faults.clear();
    await env.restore();
  });

  it('a body that is not valid JSON: "printed as received" without --json, "given as text in body" with it', async () => {
    ctx.mock.faults.inject({ kind: 'malformed_json', path: '/proxy/', phase: 'after', times: 5 });
    const plain = await cli(['call', 'weather-current', '/current', '--query', 'city=Rome']);
    expect(plain.exitCode, plain.stderr).toBe(0);
    expect(plain.stderr).toMatch(/^warning: the body is not valid JSON \(.+\); printed as received$/m);

    const json = await cli(['call', 'weather-current', '/current', '--query', 'city=Rome', '--json']);
    expect(json.exitCode, json.stderr).toBe(0);
    const out = JSON.parse(json.stdout) as { body: unknown; body_parse_error?: string };
    expect(typeof out.body).toBe('string');
    expect(json.stderr).toMatch(/^warning: the body is not valid JSON \(.+\); given as text in "body" \(see "body_parse_error"\)$/m);
    expect(json.stderr).not.toContain('printed as received');
  });

  it('--stream answered with plain JSON: "printed as is" without --json, "given in body" with it', async () => {
    const plain = await cli(['call', 'weather-current', '/current', '--stream']);
    expect(plain.exitCode, plain.stderr).toBe(0);
    expect(plain.stderr).toMatch(/^note: the response is not an event stream; printed as is$/m);

    const json = await cli(['call', 'weather-current', '/current', '--stream', '--json']);
    expect(json.exitCode, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ events: [], body: expect.any(Object) });
    expect(json.stderr).toMatch(/^note: the response is not an event stream; given in "body", with no events$/m);
    expect(json.stderr).not.toContain('printed as is');
  });
});
