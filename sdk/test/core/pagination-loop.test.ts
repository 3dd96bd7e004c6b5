// A gateway whose cursors cycle cannot make pagination loop forever (adversarial review).
import { describe, expect, test } from 'vitest';
import { client, fakeFetch, json } from './helpers.js';

describe('pagination cannot cycle', () => {
  test('a gateway cycling between two cursors stops with pagination_loop', async () => {
    const usage = (n: number) => ({
      id: `use_${n}`, service: 'w', path: '/', model: null, status_code: 200, latency_ms: 1, cost_micro_cents: 1,
      listing_id: '0b4c2a9e-5d1f-4a7b-9c3e-2f6a8d0e1b57', seller_id: null, created_at: '2026-11-25T12:00:00.000Z',
    });
    // No cursor -> A, A -> B, B -> A, ... (each page differs from the previous one's cursor).
    const { fetch, seen } = fakeFetch((req) => {
      const cursor = req.url.searchParams.get('cursor');
      const next = cursor === 'A' ? 'B' : 'A';
      return json(200, { usage: [usage(seen.length)], summary: [], cursor: next, has_more: true });
    });
    const err = await (async () => {
      let n = 0;
      for await (const _ of client(fetch).account.usage()) if (++n > 50) throw new Error('looped');
    })().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'pagination_loop' });
    expect(seen.length).toBeLessThanOrEqual(3);
  });
});
