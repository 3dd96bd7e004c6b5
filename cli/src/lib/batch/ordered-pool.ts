// Runs work on the items of an async source with bounded concurrency, and hands the results on in
// the source's order as soon as each one and all before it are done. The source is pulled only when
// a slot is free and the results waiting for an earlier one stay under `window`: memory is bounded
// by the concurrency and the window, whatever the length of the source.

export interface OrderedPoolOptions {
  /** Items worked on at once. */
  concurrency: number;
  /** Items started but not yet handed on (running or finished out of order), at most. */
  window: number;
  /** Checked before pulling each item: true stops reading the source (what has started still finishes). */
  stopped?: () => boolean;
}

/**
 * `work` must not reject (a failure is a result); `emit` is called once per item, in order, never
 * concurrently. Resolves when every started item was emitted; rejects with the first error that
 * `work`, `emit` or the source threw (after the items already started have settled).
 */
export async function runOrdered<T, R>(source: AsyncIterable<T>, work: (item: T) => Promise<R>, emit: (result: R) => void | Promise<void>, options: OrderedPoolOptions): Promise<void> {
  const concurrency = Math.max(1, options.concurrency);
  const window = Math.max(concurrency, options.window);
  const done = new Map<number, R>();
  let started = 0;
  let emitted = 0;
  let running = 0;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const signal = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const waitForChange = () => new Promise<void>((resolve) => (wake = resolve));

  // One flush at a time, so results are emitted in order and never concurrently.
  let flushing: Promise<void> = Promise.resolve();
  const flush = () => {
    flushing = flushing.then(async () => {
      while (!failure && done.has(emitted)) {
        const result = done.get(emitted) as R;
        done.delete(emitted);
        try {
          await emit(result);
        } catch (error) {
          failure ??= { error };
        }
        emitted++;
      }
      signal();
    });
  };

  const iterator = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      while (!failure && (running >= concurrency || started - emitted >= window)) await waitForChange();
      if (failure || options.stopped?.()) break;
      let next: IteratorResult<T>;
      try {
        next = await iterator.next();
      } catch (error) {
        failure ??= { error };
        break;
      }
      if (next.done) break;
      const index = started++;
      running++;
      work(next.value).then(
        (result) => {
          running--;
          done.set(index, result);
          flush();
        },
        (error: unknown) => {
          running--;
          failure ??= { error };
          signal();
        },
      );
    }
  } finally {
    // Stop the source (closes a file stream early); items already started still finish.
    if (failure || options.stopped?.()) await iterator.return?.().catch(() => undefined);
  }
  while (running > 0 || (!failure && emitted < started)) await waitForChange();
  await flushing;
  if (failure) throw failure.error;
}
