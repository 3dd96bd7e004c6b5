import type { APIResponse } from './client.js';

/** The parsed result of a call together with the HTTP answer it came from. */
export interface WithResponse<T> {
  data: T;
  response: Response;
  status: number;
  headers: Headers;
  requestId: string | undefined;
}

/**
 * What resource methods return: awaits to the parsed data, and `.withResponse()` also gives the
 * status and headers (e.g. `x-spendlimit-remaining`) without a second request.
 */
export class APIPromise<T> implements PromiseLike<T> {
  readonly #raw: Promise<APIResponse<unknown>>;
  readonly #data: Promise<T>;

  private constructor(raw: Promise<APIResponse<unknown>>, data: Promise<T>) {
    this.#raw = raw;
    this.#data = data;
  }

  /** Resolves to the response's data. */
  static of<T>(raw: Promise<APIResponse<T>>): APIPromise<T> {
    return new APIPromise<T>(raw, raw.then((res) => res.data));
  }

  /** Resolves to a part of the response's data (e.g. the `data` array of an envelope). */
  static select<R, T>(raw: Promise<APIResponse<R>>, pick: (data: R) => T): APIPromise<T> {
    return new APIPromise<T>(raw, raw.then((res) => pick(res.data)));
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#data.then(onfulfilled, onrejected);
  }

  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.#data.catch(onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.#data.finally(onfinally);
  }

  async withResponse(): Promise<WithResponse<T>> {
    const [res, data] = await Promise.all([this.#raw, this.#data]);
    return { data, response: res.response, status: res.status, headers: res.headers, requestId: res.requestId };
  }

  get [Symbol.toStringTag](): string {
    return 'APIPromise';
  }
}
