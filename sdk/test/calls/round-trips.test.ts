// A client's first paid call needs the listing (a catalog lookup) and whether the gateway replays
// by key (GET /health): both are asked at once, so the paid request waits for one round trip
// before it, not two. A discovery that fails meanwhile is handed to the call once, as if the call
// had asked itself, and asked again later.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { NotFoundError, type Fetch } from '../../src/index.js';
import { PROFILES, startMock } from './mock.js';

describe.each(PROFILES)('round trips before a paid call (%s profile)', (profile) => {
  let harness: ReturnType<typeof startMock>;
  beforeAll(() => {
    harness = startMock(`round-trips-${profile}`, { profile });
  });
  afterAll(() => harness.close());

  /** The requests started before the paid one. */
  const beforePaid = (events: string[]) => events.slice(0, events.findIndex((e) => e.startsWith('> /proxy/'))).filter((e) => e.startsWith('>'));

  /** Every request's start (">"), answer ("<") or failure ("x") by path, in the order they happened. */
  function timeline(fail?: (path: string) => Error | undefined): { events: string[]; fetch: Fetch } {
    const events: string[] = [];
    const fetch: Fetch = async (input, init) => {
      const path = new URL(String(input)).pathname;
      events.push(`> ${path}`);
      const failure = fail?.(path);
      if (failure) {
        events.push(`x ${path}`);
        throw failure;
      }
      const response = await globalThis.fetch(input, init);
      events.push(`< ${path}`);
      return response;
    };
    return { events, fetch };
  }

  test('the listing lookup and the /health read are both under way before either answers', async () => {
    const { events, fetch } = timeline();
    const pg = harness.client({ fetch });
    const result = await pg.call('weather-current', '/current', { query: { city: 'Oslo' } });
    expect(result.status).toBe(200);
    expect(beforePaid(events).sort()).toEqual(['> /health', '> /v1/apis']);
    expect(new Set(events.slice(0, 2))).toEqual(new Set(['> /v1/apis', '> /health']));
    const paid = events.findIndex((e) => e.startsWith('> /proxy/'));
    expect(paid).toBeGreaterThan(events.indexOf('< /v1/apis'));
    expect(paid).toBeGreaterThan(events.indexOf('< /health'));
  });

  test('a second call reuses both: only the paid request goes out', async () => {
    const { events, fetch } = timeline();
    const pg = harness.client({ fetch });
    await pg.call('weather-current', '/current');
    events.length = 0;
    await pg.call('weather-current', '/current');
    expect(events.filter((e) => e.startsWith('>'))).toEqual([expect.stringMatching(/^> \/proxy\//)]);
  });

  test('a call with the listing in hand reads /health only when it sends', async () => {
    const { events, fetch } = timeline();
    const pg = harness.client({ fetch });
    const listing = await pg.calls.resolveListing('weather-current');
    events.length = 0;
    await expect(pg.call(listing, '/current', { maxCost: 0 })).rejects.toMatchObject({ code: 'max_cost_exceeded' });
    expect(events).toEqual([]);
  });

  test.each([
    ['an empty listing reference', '   '],
    ['a seller/slug that is not one', 'Not A Seller/x'],
  ] as const)('a call refused before its lookup (%s) sends nothing, /health included', async (_, ref) => {
    const { events, fetch } = timeline();
    const pg = harness.client({ fetch });
    await expect(pg.call(ref, '/current')).rejects.toThrow();
    expect(events).toEqual([]);
  });

  test('without an API key the call is refused before /health (the catalog lookup needs no key)', async () => {
    const { events, fetch } = timeline();
    const pg = harness.client({ fetch, apiKey: null });
    await expect(pg.call('weather-current', '/current')).rejects.toMatchObject({ code: 'missing_api_key' });
    expect(events.filter((e) => e.startsWith('>'))).toEqual(['> /v1/apis']);
  });

  test('a lookup started ahead (prefetchListing) that fails is the call\'s failure, asked once; the next call asks again', async () => {
    const { events, fetch } = timeline();
    const pg = harness.client({ fetch });
    const ahead = pg.calls.prefetchListing('no-such-listing');
    await expect(ahead).rejects.toBeInstanceOf(NotFoundError);
    const lookups = events.filter((e) => e.startsWith('> /v1/apis')).length;
    expect(lookups).toBeGreaterThan(0);
    await expect(pg.call('no-such-listing', '/current')).rejects.toBe(await ahead.catch((e: unknown) => e));
    expect(events.filter((e) => e.startsWith('> /v1/apis'))).toHaveLength(lookups);
    expect(events.filter((e) => e.startsWith('> /proxy/'))).toEqual([]);
    await expect(pg.call('no-such-listing', '/current')).rejects.toBeInstanceOf(NotFoundError);
    expect(events.filter((e) => e.startsWith('> /v1/apis'))).toHaveLength(2 * lookups);
  });

  test('a /health that fails during the lookup is the send\'s answer (no replay by key, not asked twice), and is asked again later', async () => {
    const { events, fetch } = timeline((path) => (path === '/health' ? new TypeError('fetch failed', { cause: Object.assign(new Error('socket ECONNREFUSED'), { code: 'ECONNREFUSED' }) }) : undefined));
    const pg = harness.client({ fetch, maxRetries: 0 });
    const result = await pg.call('weather-current', '/current');
    expect(result.status).toBe(200);
    // Without the extension's answer the call is sent as on the public wire: no key.
    expect(result.idempotencyKey).toBeNull();
    expect(beforePaid(events).sort()).toEqual(['> /health', '> /v1/apis']);
    const reads = events.filter((e) => e === '> /health').length;
    await expect(pg.extensions()).rejects.toThrow();
    expect(events.filter((e) => e === '> /health')).toHaveLength(reads + 1);
  });
});
