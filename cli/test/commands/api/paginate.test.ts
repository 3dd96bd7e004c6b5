// `proxygate api --paginate` against a gateway whose cursors cycle: it must stop with an error.
import { randomBytes } from 'node:crypto';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cli, isolatedEnv } from '../../helpers/run.js';

const ORIGIN = 'https://cursor-loop.proxygate.test';
const requested: (string | null)[] = [];

/** Pages by cursor: start -> A -> B -> A ... (a buggy or hostile server), or a clean end for /v1/finite. */
const server = setupServer(
  http.get(`${ORIGIN}/v1/looping`, ({ request }) => {
    const cursor = new URL(request.url).searchParams.get('cursor');
    requested.push(cursor);
    if (requested.length > 20) return HttpResponse.json({ error: 'internal_error', message: 'test guard: too many pages' }, { status: 500 });
    const next = cursor === 'A' ? 'B' : 'A';
    return HttpResponse.json({ data: [cursor ?? 'first'], cursor: next, has_more: true });
  }),
  http.get(`${ORIGIN}/v1/finite`, ({ request }) => {
    const cursor = new URL(request.url).searchParams.get('cursor');
    if (cursor === null) return HttpResponse.json({ data: [1], cursor: 'A', has_more: true });
    if (cursor === 'A') return HttpResponse.json({ data: [2], cursor: 'B', has_more: true });
    return HttpResponse.json({ data: [3], cursor: null, has_more: false });
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

describe('api --paginate', () => {
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    requested.length = 0;
    // A throwaway key minted at run time: the fake server never checks it.
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: ORIGIN, PROXYGATE_API_KEY: `pg_live_${randomBytes(16).toString('hex')}` });
  });
  afterEach(() => env.restore());

  it('stops with a clear error on a cursor seen before instead of looping forever', async () => {
    const r = await cli(['api', 'GET', '/v1/looping', '--paginate']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/pagination_loop/);
    expect(r.stderr).toMatch(/already returned/);
    expect(requested).toEqual([null, 'A', 'B']); // the repeated A is never requested again
    expect(r.stdout).toBe('');

    requested.length = 0;
    const json = await cli(['api', 'GET', '/v1/looping', '--paginate', '--json']);
    expect(json.exitCode).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'pagination_loop' } });
  });

  it('still follows distinct cursors to the end', async () => {
    const r = await cli(['api', 'GET', '/v1/finite', '--paginate', '--json']);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([1, 2, 3]);
  });
});
