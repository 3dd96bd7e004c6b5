import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { SseDecoder, readServerSentEvents, type PositionedEvent } from '../../src/core/streaming.js';

const enc = new TextEncoder();

function decodeAll(chunks: Uint8Array[]): PositionedEvent[] {
  const decoder = new SseDecoder();
  return [...chunks.flatMap((chunk) => decoder.feed(chunk)), ...decoder.end()];
}

/** Splits bytes at the given cut points. */
function cut(bytes: Uint8Array, points: number[]): Uint8Array[] {
  const sorted = [...new Set(points.map((p) => p % (bytes.byteLength + 1)))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const point of sorted) {
    parts.push(bytes.subarray(at, point));
    at = point;
  }
  parts.push(bytes.subarray(at));
  return parts;
}

function streamOf(chunks: Uint8Array[], onPull?: () => void, onCancel?: (reason: unknown) => void) {
  let index = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        onPull?.();
        const next = chunks[index++];
        if (next === undefined) controller.close();
        else controller.enqueue(next);
      },
      cancel(reason) {
        onCancel?.(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

describe('SseDecoder', () => {
  test('parses fields per the WHATWG rules', () => {
    const text =
      '\uFEFF: comment\n' +
      'event: tick\ndata: one\ndata:two\nid: 7\n\n' +
      'data: no type\nretry: 1500\n\n' +
      'event: empty\n\n' +
      'data\n\n' +
      'unknown: x\ndata:  two spaces\n\n' +
      'data: unterminated';
    const events = decodeAll([enc.encode(text)]);
    expect(events.map(({ event, data, id, retry }) => ({ event, data, id, retry }))).toEqual([
      { event: 'tick', data: 'one\ntwo', id: '7', retry: undefined },
      { event: 'message', data: 'no type', id: '7', retry: 1500 },
      { event: 'message', data: '', id: '7', retry: undefined },
      { event: 'message', data: ' two spaces', id: '7', retry: undefined },
    ]);
  });

  test('CR, LF and CRLF all end lines, also when CRLF is split across chunks', () => {
    const bytes = enc.encode('data: a\r\n\r\ndata: b\r\rdata: c\n\n');
    const whole = decodeAll([bytes]).map((e) => e.data);
    expect(whole).toEqual(['a', 'b', 'c']);
    // split between CR and LF
    expect(decodeAll([bytes.subarray(0, 8), bytes.subarray(8)]).map((e) => e.data)).toEqual(whole);
    expect(decodeAll([bytes.subarray(0, 10), bytes.subarray(10)]).map((e) => e.data)).toEqual(whole);
  });

  test('offsets delimit each event block exactly, in bytes (multi-byte UTF-8 included)', () => {
    const text = 'data: héllo €\n\n: keep-alive\n\nevent: proxygate.receipt\ndata: {}\n\n';
    const bytes = enc.encode(text);
    const events = decodeAll([bytes]);
    const receipt = events.find((e) => e.event === 'proxygate.receipt');
    expect(events[0]?.data).toBe('héllo €');
    expect(events[0]?.start).toBe(0);
    expect(receipt?.end).toBe(bytes.byteLength);
    const before = new TextDecoder().decode(bytes.subarray(0, receipt?.start));
    expect(before).toBe('data: héllo €\n\n: keep-alive\n\n');
  });

  test('property: any chunking gives the same events and offsets as one chunk', () => {
    const line = fc.stringMatching(/^[a-z é€:]{0,12}$/);
    const block = fc.array(
      fc.tuple(fc.constantFrom('data', 'event', 'id', ':', 'retry'), line, fc.constantFrom('\n', '\r\n', '\r')),
      { minLength: 1, maxLength: 4 },
    );
    const streamText = fc
      .array(block, { maxLength: 6 })
      .map((blocks) =>
        blocks
          .map((fields) => fields.map(([name, value, eol]) => `${name}: ${value}${eol}`).join('') + '\n')
          .join(''),
      );
    fc.assert(
      fc.property(streamText, fc.array(fc.nat(), { maxLength: 8 }), (text, points) => {
        const bytes = enc.encode(text);
        const reference = decodeAll([bytes]);
        expect(decodeAll(cut(bytes, points))).toEqual(reference);
        const ones = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
        expect(decodeAll(ones)).toEqual(reference);
      }),
      { numRuns: 200 },
    );
  });

  test('retains bytes for hashing when asked', () => {
    const decoder = new SseDecoder(true);
    decoder.feed(enc.encode('data: a\n'));
    decoder.feed(enc.encode('\ndata: b\n\n'));
    expect(new TextDecoder().decode(decoder.bytesBefore(9))).toBe('data: a\n\n');
    expect(decoder.bytesSeen).toBe(18);
    expect(() => new SseDecoder().bytesBefore(1)).toThrow();
  });
});

describe('readServerSentEvents', () => {
  test('pulls from the upstream only as the consumer asks (backpressure)', async () => {
    let pulls = 0;
    const chunks = Array.from({ length: 5 }, (_, i) => enc.encode(`data: ${i}\n\n`));
    const iterator = readServerSentEvents(streamOf(chunks, () => pulls++));
    const first = await iterator.next();
    expect(first.value).toMatchObject({ data: '0' });
    const pullsAfterFirst = pulls;
    expect(pullsAfterFirst).toBeLessThanOrEqual(2);
    // The source is in memory: a read-ahead would run within promise jobs, all done after one turn.
    await new Promise((resolve) => setImmediate(resolve));
    expect(pulls).toBe(pullsAfterFirst);
    const rest: string[] = [];
    for await (const event of { [Symbol.asyncIterator]: () => iterator }) rest.push(event.data);
    expect(rest).toEqual(['1', '2', '3', '4']);
  });

  test('breaking out of the loop cancels the upstream reader', async () => {
    let cancelled = false;
    const chunks = Array.from({ length: 100 }, (_, i) => enc.encode(`data: ${i}\n\n`));
    let pulls = 0;
    const seen: string[] = [];
    for await (const event of readServerSentEvents(streamOf(chunks, () => pulls++, () => (cancelled = true)))) {
      seen.push(event.data);
      if (seen.length === 3) break;
    }
    expect(cancelled).toBe(true);
    expect(pulls).toBeLessThan(10);
  });

  test('an abort signal mid-stream cancels the read and throws the reason', async () => {
    let cancelReason: unknown;
    const controller = new AbortController();
    let enqueue: ((chunk: Uint8Array) => void) | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        enqueue = (chunk) => c.enqueue(chunk);
      },
      cancel(reason) {
        cancelReason = reason;
      },
    });
    enqueue?.(enc.encode('data: first\n\n'));
    const iterator = readServerSentEvents(body, { signal: controller.signal });
    expect((await iterator.next()).value).toMatchObject({ data: 'first' });
    const pending = iterator.next(); // waits on the upstream, which never sends more
    controller.abort(new Error('stop now'));
    await expect(pending).rejects.toThrow('stop now');
    expect(cancelReason).toBeInstanceOf(Error);
  });

  test('an already aborted signal reads nothing', async () => {
    let pulls = 0;
    const controller = new AbortController();
    controller.abort();
    const iterator = readServerSentEvents(streamOf([enc.encode('data: x\n\n')], () => pulls++), {
      signal: controller.signal,
    });
    await expect(iterator.next()).rejects.toThrow();
    expect(pulls).toBe(0);
  });
});
