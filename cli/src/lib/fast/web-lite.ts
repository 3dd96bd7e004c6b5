// `Headers` and `Response` for the data commands' start-up path. Node's are undici's: touching
// either global loads all of undici (its dispatchers, HTTP/2 client, fetch) before the first byte
// is sent. With http-fetch.ts as the transport nothing else needs undici, so the data path installs
// these: the WHATWG behaviour the SDK and the CLI rely on (case-insensitive names, sorted
// iteration, values joined with ", ", set-cookie kept apart, a body read once as text, bytes or
// JSON), checked against Node's own classes by a test.

import { LiteReadableStream } from './stream-lite.js';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const INVALID_VALUE = /[\0\r\n]/;

function headerName(name: unknown): string {
  const text = String(name);
  if (!TOKEN.test(text)) throw new TypeError(`Headers: "${text}" is an invalid header name.`);
  return text.toLowerCase();
}

function headerValue(value: unknown): string {
  // Leading and trailing HTTP whitespace is not part of a value.
  const text = String(value).replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
  if (INVALID_VALUE.test(text)) throw new TypeError(`Headers: "${text}" is an invalid header value.`);
  return text;
}

type HeadersInitLike = Iterable<readonly [string, string]> | Record<string, string> | { forEach(cb: (value: string, name: string) => void): void };

export class LiteHeaders {
  readonly #values = new Map<string, string[]>();

  constructor(init?: HeadersInitLike | null) {
    if (init === undefined || init === null) return;
    if (typeof init !== 'object') throw new TypeError('Headers: init must be an object');
    if (typeof (init as Iterable<unknown>)[Symbol.iterator] === 'function') {
      for (const pair of init as Iterable<readonly [string, string]>) {
        if (!pair || typeof pair !== 'object' || (pair as readonly unknown[]).length !== 2) throw new TypeError('Headers: each header must be a [name, value] pair');
        this.append(pair[0], pair[1]);
      }
      return;
    }
    for (const key of Object.keys(init)) this.append(key, (init as Record<string, string>)[key] as string);
  }

  append(name: string, value: string): void {
    const key = headerName(name);
    const text = headerValue(value);
    const list = this.#values.get(key);
    if (list) list.push(text);
    else this.#values.set(key, [text]);
  }

  set(name: string, value: string): void {
    this.#values.set(headerName(name), [headerValue(value)]);
  }

  delete(name: string): void {
    this.#values.delete(headerName(name));
  }

  has(name: string): boolean {
    return this.#values.has(headerName(name));
  }

  get(name: string): string | null {
    return this.#values.get(headerName(name))?.join(', ') ?? null;
  }

  getSetCookie(): string[] {
    return [...(this.#values.get('set-cookie') ?? [])];
  }

  *entries(): IterableIterator<[string, string]> {
    for (const name of [...this.#values.keys()].sort()) {
      const values = this.#values.get(name) as string[];
      if (name === 'set-cookie') for (const value of values) yield [name, value];
      else yield [name, values.join(', ')];
    }
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  forEach(callback: (value: string, name: string, headers: LiteHeaders) => void, thisArg?: unknown): void {
    for (const [name, value] of this.entries()) callback.call(thisArg, value, name, this);
  }

  get [Symbol.toStringTag](): string {
    return 'Headers';
  }
}

type BodyInitLike = ReadableStream<Uint8Array> | Uint8Array | ArrayBuffer | string | null | undefined;

export class LiteResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: LiteHeaders;
  readonly type = 'default';
  readonly url = '';
  readonly redirected = false;
  readonly #body: ReadableStream<Uint8Array> | null;
  #used = false;

  constructor(body?: BodyInitLike, init: { status?: number; statusText?: string; headers?: HeadersInitLike } = {}) {
    const status = init.status ?? 200;
    if (!Number.isInteger(status) || status < 200 || status > 599) throw new RangeError(`Response: status ${status} is not in the range 200 to 599.`);
    this.status = status;
    this.statusText = init.statusText ?? '';
    this.headers = new LiteHeaders(init.headers);
    this.#body = body === null || body === undefined ? null : toStream(body);
    if (typeof body === 'string' && !this.headers.has('content-type')) this.headers.set('content-type', 'text/plain;charset=UTF-8');
  }

  get ok(): boolean {
    return this.status >= 200 && this.status <= 299;
  }

  get body(): ReadableStream<Uint8Array> | null {
    return this.#body;
  }

  get bodyUsed(): boolean {
    return this.#used;
  }

  async bytes(): Promise<Uint8Array> {
    if (this.#used || this.#body?.locked) throw new TypeError('Response: body is unusable: Body has already been read');
    this.#used = true;
    if (!this.#body) return new Uint8Array(0);
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = this.#body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
    const out = new Uint8Array(size);
    let at = 0;
    for (const chunk of chunks) {
      out.set(chunk, at);
      at += chunk.byteLength;
    }
    return out;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.bytes();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.bytes());
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  get [Symbol.toStringTag](): string {
    return 'Response';
  }
}

function toStream(body: Exclude<BodyInitLike, null | undefined>): ReadableStream<Uint8Array> {
  if (typeof (body as ReadableStream).getReader === 'function') return body as ReadableStream<Uint8Array>;
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body instanceof ArrayBuffer ? new Uint8Array(body) : (body as Uint8Array);
  return new LiteReadableStream<Uint8Array>({
    start(controller) {
      if (bytes.byteLength > 0) controller.enqueue(bytes);
      controller.close();
    },
  }) as unknown as ReadableStream<Uint8Array>;
}

/**
 * Makes these the process's `Headers` and `Response` (Node's are undici's, loaded on first
 * touch). Only for the data path, before anything reads them.
 */
export function installWebLite(target: Record<string, unknown> = globalThis as unknown as Record<string, unknown>): void {
  Object.defineProperty(target, 'Headers', { value: LiteHeaders, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(target, 'Response', { value: LiteResponse, writable: true, configurable: true, enumerable: false });
}
