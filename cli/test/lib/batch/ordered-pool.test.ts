// `call --batch` runs its lines at once but emits results in input order, holding back a bounded window.
import { describe, expect, it } from 'vitest';
import { runOrdered } from '../../../src/lib/batch/ordered-pool.js';

/** A promise settled from outside, to finish work items in a chosen order. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

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
