// stream-lite (the data path's ReadableStream for answers' bodies) against Node's ReadableStream:
// each scenario runs on both and must log the same events (reads, pulls, cancels, errors, lock
// refusals), including the SDK's own body reader with its timeout.
import { describe, expect, it } from 'vitest';
import { readBody } from '../../../../sdk/src/internal/read-body.js';
import { installStreamLite, LiteReadableStream, type LiteSource } from '../../../src/lib/fast/stream-lite.js';

type StreamClass = new (source: LiteSource<Uint8Array>) => ReadableStream<Uint8Array>;
const classes: Array<[string, StreamClass]> = [
  ['Node', ReadableStream as unknown as StreamClass],
  ['lite', LiteReadableStream as unknown as StreamClass],
];

const bytes = (...values: number[]) => new Uint8Array(values);
const show = (result: ReadableStreamReadResult<Uint8Array>) => (result.done ? 'done' : `value ${[...result.value].join(',')}`);
const failure = (error: unknown) => `rejected ${(error as Error)?.constructor?.name}: ${(error as Error)?.message ?? String(error)}`;
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Runs `scenario` on both classes; the logs must be equal (and not empty). */
async function same(scenario: (Stream: StreamClass, log: (entry: string) => void) => Promise<void>): Promise<string[]> {
  const logs: string[][] = [];
  for (const [, Stream] of classes) {
    const log: string[] = [];
    await scenario(Stream, (entry) => log.push(entry));
    logs.push(log);
  }
  expect(logs[1], 'lite vs Node').toEqual(logs[0]);
  expect(logs[0]!.length).toBeGreaterThan(0);
  return logs[0]!;
}

describe('stream-lite reads as Node\'s ReadableStream does', () => {
  it('chunks queued at start, then the end, then reads past the end', async () => {
    await same(async (Stream, log) => {
      const stream = new Stream({
        start(c) {
          c.enqueue(bytes(1));
          c.enqueue(bytes(2, 3));
          c.close();
        },
      });
      const reader = stream.getReader();
      for (let i = 0; i < 4; i++) log(show(await reader.read()));
      await reader.closed.then(() => log('closed'));
    });
  });

  it('a pulled source: one pull per read that finds the queue empty, backpressure at one chunk', async () => {
    const log = await same(async (Stream, log) => {
      let n = 0;
      const stream = new Stream({
        async pull(c) {
          log(`pull ${n} desired ${c.desiredSize}`);
          await tick();
          if (n === 3) c.close();
          else c.enqueue(bytes(n++));
        },
      });
      await tick();
      const reader = stream.getReader();
      for (let i = 0; i < 5; i++) log(show(await reader.read()));
    });
    expect(log.filter((entry) => entry.startsWith('pull'))).not.toHaveLength(0);
  });

  it('a push source that pauses when desiredSize falls to 0 and resumes on pull (as http-fetch does)', async () => {
    await same(async (Stream, log) => {
      const pending = [bytes(1), bytes(2), bytes(3)];
      let paused = false;
      let closed = false;
      let controller!: { enqueue(c: Uint8Array): void; close(): void; readonly desiredSize: number | null };
      const push = () => {
        while (!paused && pending.length > 0) {
          controller.enqueue(pending.shift()!);
          if ((controller.desiredSize ?? 1) <= 0) {
            paused = true;
            log('paused');
          }
        }
        if (pending.length === 0 && !paused && !closed) {
          closed = true;
          controller.close();
        }
      };
      const stream = new Stream({
        start(c) {
          controller = c;
          push();
        },
        pull() {
          log('pull');
          paused = false;
          setImmediate(push);
        },
      });
      const reader = stream.getReader();
      for (let i = 0; i < 4; i++) log(show(await reader.read()));
    });
  });

  it('cancel during a pending read: the read settles as done, the source hears the reason, later reads are done', async () => {
    await same(async (Stream, log) => {
      const stream = new Stream({ pull: () => new Promise(() => undefined), cancel: (reason) => log(`source cancel ${String(reason)}`) });
      const reader = stream.getReader();
      const pending = reader.read().then((r) => log(`pending ${show(r)}`));
      await tick();
      await reader.cancel('stop').then(() => log('cancel resolved'));
      await pending;
      log(show(await reader.read()));
    });
  });

  it('an error rejects the pending read, later reads and `closed`', async () => {
    await same(async (Stream, log) => {
      let controller!: { error(e: unknown): void };
      const stream = new Stream({ start: (c) => void (controller = c) });
      const reader = stream.getReader();
      const pending = reader.read().then(show, failure).then((entry) => log(`pending ${entry}`));
      const closed = reader.closed.then(() => 'closed', failure).then((entry) => log(`closed ${entry}`));
      await tick();
      controller.error(new Error('boom'));
      await pending;
      await closed;
      log(await reader.read().then(show, failure));
    });
  });

  it('a start or pull that rejects errors the stream', async () => {
    await same(async (Stream, log) => {
      const stream = new Stream({ pull: () => Promise.reject(new Error('pull failed')) });
      log(await stream.getReader().read().then(show, failure));
    });
  });

  it('locks: a second reader, a cancel of a locked stream, a released reader and the waiting read it leaves', async () => {
    await same(async (Stream, log) => {
      const stream = new Stream({ pull: () => new Promise(() => undefined) });
      const reader = stream.getReader();
      log(`locked ${stream.locked}`);
      try {
        stream.getReader();
        log('second reader');
      } catch (error) {
        log(`second reader ${(error as Error).constructor.name}`);
      }
      log(await stream.cancel().then(() => 'cancelled', (e: Error) => `cancel ${e.constructor.name}`));
      const waiting = reader.read().then(show, (e: Error) => `waiting read ${e.constructor.name}`);
      await tick();
      reader.releaseLock();
      log(await waiting);
      log(`locked ${stream.locked}`);
      log(await reader.read().then(show, (e: Error) => `released read ${e.constructor.name}`));
      stream.getReader();
      log('new reader');
    });
  });

  it('async iteration yields the chunks; leaving early cancels the source', async () => {
    await same(async (Stream, log) => {
      const full = new Stream({
        start(c) {
          c.enqueue(bytes(1));
          c.enqueue(bytes(2));
          c.close();
        },
      });
      for await (const chunk of full as unknown as AsyncIterable<Uint8Array>) log(`chunk ${[...chunk].join(',')}`);
      let n = 0;
      const endless = new Stream({ pull: (c) => c.enqueue(bytes(n++)), cancel: () => log('source cancel') });
      for await (const chunk of endless as unknown as AsyncIterable<Uint8Array>) {
        log(`chunk ${[...chunk].join(',')}`);
        if (chunk[0] === 1) break;
      }
      log(`locked after break ${endless.locked}`);
    });
  });

  it('pipeThrough, tee and pipeTo work (through a Node stream)', async () => {
    await same(async (Stream, log) => {
      const source = () =>
        new Stream({
          start(c) {
            c.enqueue(new TextEncoder().encode('ab'));
            c.enqueue(new TextEncoder().encode('c'));
            c.close();
          },
        });
      const text = source().pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>);
      for await (const part of text as unknown as AsyncIterable<string>) log(`text ${part}`);
      const [a, b] = source().tee();
      log(`tee ${(await new Response(a).text()) + (await new Response(b).text())}`);
      const seen: number[] = [];
      await source().pipeTo(new WritableStream({ write: (chunk) => void seen.push(chunk.byteLength) }));
      log(`piped ${seen.join(',')}`);
    });
  });

  it('the SDK\'s body reader: whole bodies, and a stalled body stopped by its timeout (cancelling the source)', async () => {
    await same(async (Stream, log) => {
      const whole = new Stream({
        start(c) {
          c.enqueue(bytes(1, 2));
          c.enqueue(bytes(3));
          c.close();
        },
      });
      log(`read ${[...(await readBody({ body: whole } as Response, 1000, undefined))].join(',')}`);
      const stalled = new Stream({ start: (c) => c.enqueue(bytes(9)), pull: () => new Promise(() => undefined), cancel: () => log('source cancel') });
      // A schedule that fires at once: the read is stopped while it waits.
      const now = (_ms: number, fire: () => void) => {
        setImmediate(fire);
        return () => undefined;
      };
      log(await readBody({ body: stalled } as Response, 5, undefined, now).then(() => 'read', (e: Error) => `stopped ${e.constructor.name}`));
    });
  });
});

describe('installStreamLite: the process\'s ReadableStream is Node\'s, made on demand', () => {
  it('constructs Node\'s streams, knows Node\'s and lite streams as instances, and undoes itself', async () => {
    let loads = 0;
    const target: Record<string, unknown> = {};
    Object.defineProperty(target, 'ReadableStream', {
      configurable: true,
      get: () => {
        loads++;
        return ReadableStream;
      },
    });
    const undo = installStreamLite(target);
    const Stream = target['ReadableStream'] as typeof ReadableStream;
    // A lite stream is one without asking Node's class.
    expect(new LiteReadableStream() instanceof Stream).toBe(true);
    expect(loads).toBe(0);
    const made = new Stream({ start: (c) => c.close() });
    expect(made).toBeInstanceOf(ReadableStream);
    expect(made instanceof Stream).toBe(true);
    expect({} instanceof Stream).toBe(false);
    expect(typeof (Stream as unknown as { from: unknown }).from).toBe('function');
    expect(await made.getReader().read()).toEqual({ done: true, value: undefined });
    expect(loads).toBe(1);
    undo();
    expect(target['ReadableStream']).toBe(ReadableStream);
    expect(loads).toBe(2);
  });
});
