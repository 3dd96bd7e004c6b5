// A `ReadableStream` for the data path's response bodies (http-fetch.ts, web-lite.ts). Node's is
// loaded on first touch with its writable side and worker message ports (~3 ms of a command that
// starts in ~60). The SDK and the CLI read a body with `getReader()` (`read`, `cancel`,
// `releaseLock`) or cancel it: that is done here as the WHATWG streams standard does it for a
// default reader with a queue of one chunk (pull when a read waits or the queue has room, a
// cancelled read settles as done, an error rejects pending and later reads). Anything else
// (`pipeThrough`, `pipeTo`, `tee`, a BYOB reader) gets a Node ReadableStream fed from this one.
// A test runs the same scenarios on both.

interface ReadRequest<T> {
  resolve(result: ReadableStreamReadResult<T>): void;
  reject(error: unknown): void;
}

export interface LiteSource<T> {
  start?(controller: LiteController<T>): unknown;
  pull?(controller: LiteController<T>): unknown;
  cancel?(reason: unknown): unknown;
}

export interface LiteController<T> {
  enqueue(chunk: T): void;
  close(): void;
  error(error?: unknown): void;
  readonly desiredSize: number | null;
}

const invalidState = (what: string) => Object.assign(new TypeError(`Invalid state: ${what}`), { code: 'ERR_INVALID_STATE' });

export class LiteReadableStream<T = Uint8Array> {
  #state: 'readable' | 'closed' | 'errored' = 'readable';
  #error: unknown;
  readonly #queue: T[] = [];
  #reads: Array<ReadRequest<T>> = [];
  #closeRequested = false;
  #started = false;
  #pulling = false;
  #pullAgain = false;
  #reader: LiteReader<T> | undefined;
  readonly #source: LiteSource<T>;
  readonly #controller: LiteController<T>;

  constructor(source: LiteSource<T> = {}) {
    this.#source = source;
    const stream = this;
    this.#controller = {
      enqueue: (chunk) => this.#enqueue(chunk),
      close: () => this.#close(),
      error: (error) => this.#fail(error),
      get desiredSize() {
        return stream.#desiredSize();
      },
    };
    Promise.resolve(source.start?.(this.#controller)).then(
      () => {
        this.#started = true;
        this.#pullIfNeeded();
      },
      (error: unknown) => this.#fail(error),
    );
  }

  get locked(): boolean {
    return this.#reader !== undefined;
  }

  getReader(options?: { mode?: string }): LiteReader<T> {
    if (options?.mode !== undefined) return this.#toNode().getReader(options as { mode: 'byob' }) as unknown as LiteReader<T>;
    if (this.#reader) throw invalidState('ReadableStream is locked');
    this.#reader = new LiteReader(this);
    return this.#reader;
  }

  cancel(reason?: unknown): Promise<void> {
    if (this.#reader) return Promise.reject(invalidState('ReadableStream is locked'));
    return this.cancelStream(reason);
  }

  async *values(options: { preventCancel?: boolean } = {}): AsyncGenerator<T, undefined, undefined> {
    const reader = this.getReader();
    let finished = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          finished = true;
          return undefined;
        }
        yield value;
      }
    } finally {
      if (!finished && !options.preventCancel) await reader.cancel();
      reader.releaseLock();
    }
  }

  [Symbol.asyncIterator](): AsyncGenerator<T, undefined, undefined> {
    return this.values();
  }

  pipeThrough<U>(transform: ReadableWritablePair<U, T>, options?: StreamPipeOptions): ReadableStream<U> {
    return this.#toNode().pipeThrough(transform, options);
  }

  pipeTo(destination: WritableStream<T>, options?: StreamPipeOptions): Promise<void> {
    return this.#toNode().pipeTo(destination, options);
  }

  tee(): [ReadableStream<T>, ReadableStream<T>] {
    return this.#toNode().tee();
  }

  get [Symbol.toStringTag](): string {
    return 'ReadableStream';
  }

  /** A Node ReadableStream reading this one (for what this class does not do itself). */
  #toNode(): ReadableStream<T> {
    const reader = this.getReader();
    return new ReadableStream<T>(
      {
        pull: async (controller) => {
          const { done, value } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        },
        cancel: (reason) => reader.cancel(reason),
      },
      { highWaterMark: 0 },
    );
  }

  // For the reader.
  read(): Promise<ReadableStreamReadResult<T>> {
    if (this.#state === 'errored') return Promise.reject(this.#error);
    if (this.#queue.length > 0) {
      const value = this.#queue.shift() as T;
      if (this.#closeRequested && this.#queue.length === 0) this.#finishClose();
      else this.#pullIfNeeded();
      return Promise.resolve({ done: false, value });
    }
    if (this.#state === 'closed') return Promise.resolve({ done: true, value: undefined });
    const pending = new Promise<ReadableStreamReadResult<T>>((resolve, reject) => this.#reads.push({ resolve, reject }));
    this.#pullIfNeeded();
    return pending;
  }

  cancelStream(reason: unknown): Promise<void> {
    if (this.#state === 'closed') return Promise.resolve();
    if (this.#state === 'errored') return Promise.reject(this.#error);
    this.#queue.length = 0;
    this.#finishClose();
    return Promise.resolve(this.#source.cancel?.(reason)).then(() => undefined);
  }

  release(reader: LiteReader<T>): void {
    if (this.#reader !== reader) return;
    this.#reader = undefined;
    // Reads still waiting are refused, as the standard's releaseLock does.
    const waiting = this.#reads;
    this.#reads = [];
    for (const request of waiting) request.reject(invalidState('Reader released'));
  }

  #desiredSize(): number | null {
    if (this.#state === 'errored') return null;
    if (this.#state === 'closed') return 0;
    return 1 - this.#queue.length;
  }

  #enqueue(chunk: T): void {
    if (this.#closeRequested || this.#state !== 'readable') throw invalidState('Controller is already closed');
    const request = this.#reads.shift();
    if (request) request.resolve({ done: false, value: chunk });
    else this.#queue.push(chunk);
    this.#pullIfNeeded();
  }

  #close(): void {
    if (this.#closeRequested || this.#state !== 'readable') throw invalidState('Controller is already closed');
    this.#closeRequested = true;
    if (this.#queue.length === 0) this.#finishClose();
  }

  // As the standard orders it: the reader's `closed` settles before the reads still waiting.
  #finishClose(): void {
    this.#state = 'closed';
    this.#reader?.settleClosed();
    const waiting = this.#reads;
    this.#reads = [];
    for (const request of waiting) request.resolve({ done: true, value: undefined });
  }

  #fail(error: unknown): void {
    if (this.#state !== 'readable') return;
    this.#state = 'errored';
    this.#error = error;
    this.#queue.length = 0;
    this.#reader?.settleClosed(error);
    const waiting = this.#reads;
    this.#reads = [];
    for (const request of waiting) request.reject(error);
  }

  #pullIfNeeded(): void {
    if (!this.#started || this.#closeRequested || this.#state !== 'readable') return;
    if (this.#reads.length === 0 && (this.#desiredSize() ?? 0) <= 0) return;
    if (this.#pulling) {
      this.#pullAgain = true;
      return;
    }
    this.#pulling = true;
    Promise.resolve(this.#source.pull?.(this.#controller)).then(
      () => {
        this.#pulling = false;
        if (this.#pullAgain) {
          this.#pullAgain = false;
          this.#pullIfNeeded();
        }
      },
      (error: unknown) => this.#fail(error),
    );
  }
}

export class LiteReader<T> {
  #stream: LiteReadableStream<T> | undefined;
  readonly closed: Promise<undefined>;
  #settle!: (error?: unknown) => void;

  constructor(stream: LiteReadableStream<T>) {
    this.#stream = stream;
    this.closed = new Promise<undefined>((resolve, reject) => {
      this.#settle = (error) => (error === undefined ? resolve(undefined) : reject(error));
    });
    // An unobserved rejection of `closed` is not an unhandled one (as in Node's streams).
    this.closed.catch(() => undefined);
  }

  read(): Promise<ReadableStreamReadResult<T>> {
    return this.#stream ? this.#stream.read() : Promise.reject(invalidState('Reader released'));
  }

  cancel(reason?: unknown): Promise<void> {
    return this.#stream ? this.#stream.cancelStream(reason) : Promise.reject(invalidState('Reader released'));
  }

  releaseLock(): void {
    const stream = this.#stream;
    if (!stream) return;
    this.#stream = undefined;
    stream.release(this);
    this.#settle(invalidState('Reader released'));
  }

  settleClosed(error?: unknown): void {
    this.#settle(error);
  }
}

/**
 * The process's `ReadableStream` for the data path: Node's, loaded when something makes one, so
 * that code only asking `x instanceof ReadableStream` (the SDK does, for each request body) does
 * not load Node's streams. A stream-lite body is an instance too. Returns the undo.
 */
export function installStreamLite(target: Record<string, unknown> = globalThis as unknown as Record<string, unknown>): () => void {
  const original = Object.getOwnPropertyDescriptor(target, 'ReadableStream');
  if (!original) return () => undefined;
  let node: typeof ReadableStream | undefined;
  const nodeClass = (): typeof ReadableStream => (node ??= (original.get ? original.get.call(target) : original.value) as typeof ReadableStream);
  // Whether Node's streams are loaded at all (if not, nothing can be one of its streams).
  const nodeLoaded = () => node !== undefined || (process as unknown as { moduleLoadList: string[] }).moduleLoadList.includes('NativeModule internal/webstreams/readablestream');
  const hasInstance = (value: unknown) => value instanceof LiteReadableStream || (nodeLoaded() && value instanceof nodeClass());
  const standIn: object = new Proxy(function ReadableStream() {}, {
    construct: (_target, args, newTarget): object => Reflect.construct(nodeClass(), args, newTarget === standIn ? nodeClass() : newTarget) as object,
    apply: (_target, thisArg, args) => Reflect.apply(nodeClass(), thisArg, args),
    get: (_target, key) => (key === Symbol.hasInstance ? hasInstance : Reflect.get(nodeClass(), key)),
  });
  Object.defineProperty(target, 'ReadableStream', { value: standIn, writable: true, configurable: true, enumerable: false });
  return () => Object.defineProperty(target, 'ReadableStream', original);
}
