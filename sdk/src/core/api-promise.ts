import type { APIResponse } from './client.js';
import { answerOf, readableResponse } from '../internal/answer-body.js';

/** The parsed result of a call together with the HTTP answer it came from. */
export interface WithResponse<T> {
  data: T;
  response: Response;
  status: number;
  headers: Headers;
  requestId: string | undefined;
}

/**
 * What resource methods return: awaits to the parsed data; `.withResponse()` also gives the
 * status and headers (e.g. `x-spendlimit-remaining`) without a second request, and
 * `.asResponse()` the raw `Response` (body readable) instead of the parsed data.
 */
export class APIPromise<T> implements PromiseLike<T> {
  readonly #raw: Promise<APIResponse<unknown>>;
  readonly #pick: (data: unknown) => T;
  /** Derived on first use, so a caller who only asks for `asResponse()` leaves no rejection unhandled. */
  #parsed: Promise<T> | undefined;

  private constructor(raw: Promise<APIResponse<unknown>>, pick: (data: unknown) => T) {
    this.#raw = raw;
    this.#pick = pick;
  }

  /** Resolves to the response's data. */
  static of<T>(raw: Promise<APIResponse<T>>): APIPromise<T> {
    return new APIPromise<T>(raw, (data) => data as T);
  }

  /** Resolves to a part of the response's data (e.g. the `data` array of an envelope). */
  static select<R, T>(raw: Promise<APIResponse<R>>, pick: (data: R) => T): APIPromise<T> {
    return new APIPromise<T>(raw, (data) => pick(data as R));
  }

  get #data(): Promise<T> {
    this.#parsed ??= this.#raw.then((res) => this.#pick(res.data));
    return this.#parsed;
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

  /**
   * The raw `Response` of the answer, its body readable (`.json()`, `.text()`), status and headers
   * as sent, without the SDK's parsing. A 2xx body that fails validation still resolves here (the
   * awaited promise rejects with `ValidationError`); an error status rejects with its `APIError`.
   * Same request as the one awaited: no second request is sent.
   */
  async asResponse(): Promise<Response> {
    try {
      return readableResponse((await this.#raw).response);
    } catch (error) {
      const answer = answerOf(error);
      if (answer) return readableResponse(answer);
      throw error;
    }
  }

  /** The parsed data together with the response (its body already read), status, headers and request id. */
  async withResponse(): Promise<WithResponse<T>> {
    const [res, data] = await Promise.all([this.#raw, this.#data]);
    return { data, response: res.response, status: res.status, headers: res.headers, requestId: res.requestId };
  }

  get [Symbol.toStringTag](): string {
    return 'APIPromise';
  }
}
