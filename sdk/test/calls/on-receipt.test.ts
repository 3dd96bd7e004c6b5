// The onReceipt hook (client option and per call) and the Node file sink: every receipt a paid
// call receives is heard once, before the call settles, with the verdict the client reached.
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { ShieldBlockedError } from '../../src/core/error.js';
import { ReceiptHookError, receiptTextOf, type ReceiptEvent } from '../../src/resources/calls/index.js';
import { KeySet } from '../../src/receipts/key-set.js';
import { createReceiptFileSink } from '../../src/receipts/node.js';
import { PROFILES, startMock } from './mock.js';

describe.each(PROFILES)('onReceipt against the %s profile', (profile) => {
  const extended = profile === 'extended';
  let harness: ReturnType<typeof startMock>;
  beforeAll(() => {
    harness = startMock(`on-receipt-${profile}`, { profile });
  });
  afterAll(() => harness.close());
  beforeEach(() => harness.reset());

  test('the client hook, then the call hook, hear the receipt (raw, text, parsed, verdict, call) before the call resolves', async () => {
    const heard: Array<{ who: string; event: ReceiptEvent }> = [];
    let settledAfterHooks = false;
    const client = harness.client({
      onReceipt: async (event) => {
        await new Promise((resolve) => setImmediate(resolve));
        heard.push({ who: 'client', event });
      },
    });
    const result = await client.call('echo', '/echo', {
      query: { q: 'a b' },
      onReceipt: (event) => {
        heard.push({ who: 'call', event });
        settledAfterHooks = true;
      },
    });
    expect(settledAfterHooks).toBe(true);
    expect(heard.map((h) => h.who)).toEqual(['client', 'call']);
    const { event } = heard[0]!;
    expect(heard[1]!.event).toBe(event);
    expect(event.rawReceipt).toBe(result.rawReceipt);
    expect(event.receipt).toEqual(result.receipt);
    expect(event.verdict).toMatchObject({ valid: true, reason: 'valid' });
    // The text is the receipt's own JSON, byte for byte what the header carried.
    const raw = result.rawReceipt!;
    const headerText = raw.startsWith('{') ? raw : Buffer.from(raw, 'base64').toString('utf8');
    expect(event.receiptText).toBe(headerText);
    expect(event.call).toEqual({
      gateway: client.gatewayUrl,
      listingId: result.listing.listing_id,
      service: result.listing.service,
      method: 'GET',
      path: '/echo',
      requestId: result.requestId,
      idempotencyKey: result.idempotencyKey,
      status: 200,
      cost: result.cost,
      outcome: 'answered',
    });
  });

  test('without keys the event and the result say no_keys, valid false', async () => {
    const events: ReceiptEvent[] = [];
    const result = await harness.client({ keys: undefined, onReceipt: (e) => void events.push(e) }).call('echo', '/echo');
    expect(result.receiptVerdict).toMatchObject({ valid: false, reason: 'no_keys' });
    expect(events).toHaveLength(1);
    expect(events[0]!.verdict).toEqual(result.receiptVerdict);
  });

  test('a strict block is heard (outcome blocked) and still thrown as the block', async () => {
    const events: ReceiptEvent[] = [];
    const error = await harness
      .client({ onReceipt: (e) => void events.push(e) })
      .call('product-reviews', '/reviews', { shield: 'strict' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShieldBlockedError);
    expect(events).toHaveLength(1);
    expect(events[0]!.call.outcome).toBe('blocked');
    expect(events[0]!.call.status).toBe(422);
    expect(events[0]!.rawReceipt).toBe((error as { rawReceipt: string }).rawReceipt);
    expect(events[0]!.verdict.valid).toBe(true);
  });

  test('a hook that fails an answered call throws ReceiptHookError carrying the charged result', async () => {
    const client = harness.client({
      onReceipt: () => {
        throw new Error('disk full');
      },
    });
    const error = await client.call('echo', '/echo').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReceiptHookError);
    const failure = error as ReceiptHookError;
    expect(failure.code).toBe('receipt_hook_failed');
    expect(failure.message).toContain('disk full');
    const result = failure.result as { rawReceipt: string; cost: bigint; receiptVerdict: { valid: boolean } };
    expect(result.rawReceipt).toEqual(expect.any(String));
    expect(result.receiptVerdict.valid).toBe(true);
    expect(failure.requestId).toEqual(expect.any(String));
  });

  test("a hook that fails after a block is attached to the block's error, never swallowed", async () => {
    const error = await harness
      .client()
      .call('product-reviews', '/reviews', {
        shield: 'strict',
        onReceipt: async () => {
          throw new Error('sink closed');
        },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShieldBlockedError);
    expect((error as Error).message).toContain('onReceipt hook failed: Error: sink closed');
    expect((error as { receiptHookError?: unknown }).receiptHookError).toBeInstanceOf(ReceiptHookError);
  });

  test('a stream is heard before finished() resolves', async () => {
    const events: ReceiptEvent[] = [];
    const stream = await harness.client({ onReceipt: (e) => void events.push(e) }).calls.stream('llm-stream', '/chat', { body: { prompt: 'hi' } });
    const outcome = await stream.finished();
    expect(events).toHaveLength(1);
    expect(events[0]!.rawReceipt).toBe(outcome.rawReceipt);
    expect(events[0]!.verdict).toEqual(outcome.receiptVerdict);
    expect(events[0]!.call).toMatchObject({ method: 'POST', path: '/chat', outcome: 'answered' });
  });

  test.runIf(!extended)('a stream left early still has its header receipt heard (the public gateway sends it first)', async () => {
    const events: ReceiptEvent[] = [];
    const stream = await harness.client({ onReceipt: (e) => void events.push(e) }).calls.stream('llm-stream', '/chat', { body: { prompt: 'hi' } });
    for await (const _event of stream) break;
    await expect(stream.finished()).rejects.toThrow(/closed before its receipt arrived/);
    expect(events).toHaveLength(1);
    expect(events[0]!.rawReceipt).toBe(stream.headers.get('x-proxygate-receipt'));
    expect(events[0]!.call.outcome).toBe('failed');
    expect(events[0]!.verdict.valid).toBe(true);
  });

  test.runIf(extended)('reverify checks the receipt again against rotated keys, content binding included', async () => {
    const before = harness.keys();
    harness.mock.rotateKeys();
    const events: ReceiptEvent[] = [];
    const result = await harness.client({ keys: before, onReceipt: (e) => void events.push(e) }).call('echo', '/echo');
    expect(result.receiptVerdict).toMatchObject({ valid: false, reason: 'unknown_key' });
    expect(await events[0]!.reverify(harness.keys())).toMatchObject({ valid: true });
    // A set without the new key still fails; the event's own verdict is unchanged.
    expect(await events[0]!.reverify(before)).toMatchObject({ reason: 'unknown_key' });
    expect(events[0]!.verdict.reason).toBe('unknown_key');
  });
});

describe('receiptTextOf', () => {
  test('decodes base64, keeps plain JSON as is, refuses what is not a JSON object', () => {
    const text = '{"b":1,  "a":"x"}';
    expect(receiptTextOf(Buffer.from(text).toString('base64'))).toBe(text);
    expect(receiptTextOf(text)).toBe(text);
    expect(receiptTextOf(Buffer.from('[1]').toString('base64'))).toBeNull();
    expect(receiptTextOf('%%%')).toBeNull();
    expect(receiptTextOf(Buffer.from([0xff, 0xfe, 0x7b]).toString('base64'))).toBeNull();
  });
});

describe('createReceiptFileSink', () => {
  let dir: string;
  let harness: ReturnType<typeof startMock>;
  beforeAll(() => {
    harness = startMock('on-receipt-sink', { profile: 'extended' });
  });
  afterAll(() => harness.close());
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pg-sink-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('keeps each receipt as one trail line in the month file of its clock, 0600 in a 0700 directory', async () => {
    let now = new Date('2026-11-30T23:59:59.999Z');
    const logDir = join(dir, 'receipts');
    const sink = createReceiptFileSink({ dir: logDir, now: () => now });
    const client = harness.client({ onReceipt: sink });
    const first = await client.call('echo', '/echo');
    now = new Date('2026-12-01T00:00:00.000Z');
    const second = await client.call('echo', '/echo', { query: { n: '2' } });

    expect((await readdir(logDir)).sort()).toEqual(['2026-11.jsonl', '2026-12.jsonl']);
    const november = (await readFile(join(logDir, '2026-11.jsonl'), 'utf8')).split('\n');
    expect(november).toHaveLength(2);
    expect(november[1]).toBe('');
    const line = JSON.parse(november[0]!);
    expect(line).toEqual({
      proxygate_receipt: 1,
      receipt: Buffer.from(first.rawReceipt!, 'base64').toString('utf8'),
      verdict: { valid: true, reason: 'valid', message: expect.any(String) },
      call: {
        gateway: client.gatewayUrl,
        listing_id: first.listing.listing_id,
        service: first.listing.service,
        method: 'GET',
        path: '/echo',
        request_id: first.requestId,
        idempotency_key: first.idempotencyKey,
        status: 200,
        cost_micro_usd: Number(first.cost),
      },
      recorded_at: '2026-11-30T23:59:59.999Z',
    });
    const december = JSON.parse((await readFile(join(logDir, '2026-12.jsonl'), 'utf8')).trim());
    expect(december.call.request_id).toBe(second.requestId);
    if (process.platform !== 'win32') {
      expect((await stat(logDir)).mode & 0o777).toBe(0o700);
      expect((await stat(join(logDir, '2026-11.jsonl'))).mode & 0o777).toBe(0o600);
    }
  });

  test('a file sink appends; many writers at once leave every line whole', async () => {
    const file = join(dir, 'trail.jsonl');
    const sink = createReceiptFileSink({ file });
    const client = harness.client({ onReceipt: sink, keys: undefined });
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => client.call('echo', '/echo', { query: { i: String(i) } })));
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as { call: { request_id: string }; verdict: { reason: string } });
    expect(lines.map((l) => l.call.request_id).sort()).toEqual(results.map((r) => r.requestId).sort());
    expect(new Set(lines.map((l) => l.verdict.reason))).toEqual(new Set(['no_keys']));
  });

  test('needs exactly one of dir or file', () => {
    expect(() => createReceiptFileSink({})).toThrow(TypeError);
    expect(() => createReceiptFileSink({ dir, file: join(dir, 'x') })).toThrow(TypeError);
  });

  test('keys given as a document are loaded for reverify too', async () => {
    const events: ReceiptEvent[] = [];
    await harness.client({ keys: undefined, onReceipt: (e) => void events.push(e) }).call('echo', '/echo');
    const doc = harness.mock.gateway.keySet();
    expect(await events[0]!.reverify(doc as never)).toMatchObject({ valid: true });
    expect(await events[0]!.reverify(KeySet.fromDocument(doc))).toMatchObject({ valid: true });
  });
});
