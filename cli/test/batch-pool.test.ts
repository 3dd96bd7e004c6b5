// The parts of `call --batch` that keep memory bounded: lines read as needed, results in order.
import { describe, expect, it } from 'vitest';
import { readLines } from '../src/lib/batch/lines.js';
import { runOrdered } from '../src/lib/batch/ordered-pool.js';
import { worseExit, WORST_FIRST } from '../src/lib/batch/exit-order.js';
import { Budget } from '../src/lib/batch/budget.js';

async function* chunks(...parts: Array<string | number[]>): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield typeof part === 'string' ? new TextEncoder().encode(part) : new Uint8Array(part);
}

async function all<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

/** A promise settled from outside, to finish work items in a chosen order. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('readLines', () => {
  it('splits across chunk boundaries, LF and CRLF, numbering from 1; a last line without a newline counts', async () => {
    const lines = await all(readLines(chunks('{"a":', '1}\r\n\n{"b"', ':2}\n', 'x', 'y')));
    expect(lines).toEqual([
      { number: 1, text: '{"a":1}' },
      { number: 2, text: '' },
      { number: 3, text: '{"b":2}' },
      { number: 4, text: 'xy' },
    ]);
  });

  it('decodes UTF-8 with a byte-order mark and multi-byte characters split across chunks; UTF-16 with a mark', async () => {
    const euro = [...new TextEncoder().encode('€')];
    expect(await all(readLines(chunks([0xef, 0xbb], [0xbf, 0x61, euro[0]!], [euro[1]!, euro[2]!, 0x0a])))).toEqual([{ number: 1, text: 'a€' }]);
    const utf16be = Buffer.from('\ufeffé\nz', 'utf16le').swap16();
    expect(await all(readLines(chunks([...utf16be])))).toEqual([
      { number: 1, text: 'é' },
      { number: 2, text: 'z' },
    ]);
  });

  it('a line over the limit is flagged (its text dropped), and the next one is read normally', async () => {
    const lines = await all(readLines(chunks('short\n', 'x'.repeat(30), 'x'.repeat(30), '\nafter\n'), 40));
    expect(lines).toEqual([
      { number: 1, text: 'short' },
      { number: 2, text: '', tooLong: true },
      { number: 3, text: 'after' },
    ]);
  });
});

describe('runOrdered', () => {
  it('emits in source order whatever order the work finishes in, never more than `concurrency` at once', async () => {
    const gates = Array.from({ length: 6 }, () => deferred<void>());
    let running = 0;
    let most = 0;
    const full = deferred<void>();
    const emitted: number[] = [];
    const done = runOrdered(
      (async function* () {
        for (let i = 0; i < 6; i++) yield i;
      })(),
      async (i) => {
        running++;
        most = Math.max(most, running);
        if (running === 3) full.resolve();
        await gates[i]!.promise;
        running--;
        return i;
      },
      (i) => {
        emitted.push(i);
      },
      { concurrency: 3, window: 3 },
    );
    // Three running; finish the later ones first: nothing is emitted until the first one is done.
    await full.promise;
    for (const i of [2, 1]) gates[i]!.resolve();
    await new Promise((r) => setImmediate(r));
    expect(emitted).toEqual([]);
    gates[0]!.resolve();
    for (const i of [5, 4, 3]) gates[i]!.resolve();
    await done;
    expect(emitted).toEqual([0, 1, 2, 3, 4, 5]);
    expect(most).toBe(3);
  });

  it('pulls the source only while a slot is free and the results held back stay under the window', async () => {
    let pulled = 0;
    const first = deferred<void>();
    const source = (async function* () {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield i;
      }
    })();
    const done = runOrdered(source, async (i) => (i === 0 ? first.promise.then(() => i) : i), () => undefined, { concurrency: 4, window: 8 });
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    // Item 0 holds everything back: at most `window` items were taken from a source of 1000.
    expect(pulled).toBeLessThanOrEqual(9);
    first.resolve();
    await done;
    expect(pulled).toBe(1000);
  });

  it('stops reading when told, lets the started items finish and emits them', async () => {
    let stop = false;
    const emitted: number[] = [];
    await runOrdered(
      (async function* () {
        for (let i = 0; ; i++) yield i;
      })(),
      async (i) => {
        if (i === 2) stop = true;
        return i;
      },
      (i) => {
        emitted.push(i);
      },
      { concurrency: 1, window: 1, stopped: () => stop },
    );
    expect(emitted).toEqual([0, 1, 2]);
  });
});

describe('the worst exit code of a batch', () => {
  it('ranks 130 > 6 > 1 > 4 > 3 > 2 > 5 > 0', () => {
    expect(WORST_FIRST).toEqual([130, 6, 1, 4, 3, 2, 5, 0]);
    expect([0, 5, 2, 3, 4, 1, 6, 130].reduce(worseExit, 0)).toBe(130);
    expect([5, 2, 0].reduce(worseExit, 0)).toBe(2);
    expect([2, 1, 5].reduce(worseExit, 0)).toBe(1);
    expect([0, 5].reduce(worseExit, 0)).toBe(5);
  });
});

describe('Budget', () => {
  it('reserves before a call and settles to what was charged', () => {
    const budget = new Budget(10_000);
    expect(budget.reserve(6_000)).toBe(true);
    expect(budget.reserve(6_000)).toBe(false);
    budget.settle(6_000, 0);
    expect(budget.reserve(6_000)).toBe(true);
    budget.settle(6_000, 5_000);
    expect(budget.left).toBe(5_000);
    expect(budget.spent).toBe(5_000);
  });
});
