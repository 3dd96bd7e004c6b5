import type { Model } from '../internal/validate.js';
import { ProxygateError } from './error.js';
import { ExtensionNotSupportedError } from './extensions.js';
import type { FetchOptions, HeadersInit, Proxygate, QueryValue } from './client.js';
import type { WithResponse } from './api-promise.js';
import { answerOf, readableResponse } from '../internal/answer-body.js';

/**
 * A cursor-paginated answer: the items under one wrapper key (`data`, `services`, `categories`,
 * `usage`, ...), plus `cursor` and `has_more` (and endpoint extras such as `summary` or `head`).
 */
export interface CursorBody {
  cursor: string | null;
  has_more: boolean;
}

/** The `{ data, cursor, has_more }` envelope (the catalog and our extensions). */
export interface ListBody<Item> extends CursorBody {
  data: Item[];
}

/** How to fetch one page; the cursor of the next page is added to `query`. */
export interface PageRequest<Body> {
  path: string;
  /** The key holding the items (default `data`). */
  itemsKey?: string | undefined;
  /** Applied once to each validated body (e.g. to add integer prices to listings). */
  transform?: ((body: Body) => Body) | undefined;
  /** A gateway extension the list needs; refused before sending when the gateway does not advertise it. */
  requiredExtension?: string | undefined;
  query?: Record<string, QueryValue> | undefined;
  schema?: Model<Body> | undefined;
  requiredScope?: string | undefined;
  signal?: AbortSignal | undefined;
  timeout?: number | undefined;
  maxRetries?: number | undefined;
  /** The caller's per-call options (sent with every page). */
  headers?: HeadersInit | undefined;
  extraQuery?: Record<string, QueryValue> | undefined;
  fetchOptions?: FetchOptions | undefined;
}

/** One page of a cursor-paginated list. Iterating it with `for await` walks this page and all later ones. */
export class Page<Item, Body extends CursorBody = ListBody<Item>> implements AsyncIterable<Item> {
  /** The whole list body, including endpoint extras (e.g. `head` of the receipt log). */
  readonly body: Body;
  readonly response: Response;
  readonly #client: Proxygate;
  readonly #request: PageRequest<Body>;

  constructor(client: Proxygate, request: PageRequest<Body>, body: Body, response: Response) {
    this.#client = client;
    this.#request = request;
    this.body = body;
    this.response = response;
  }

  /** Items of this page only (whatever the wrapper key is called on the wire). */
  get data(): Item[] {
    const items = (this.body as unknown as Record<string, unknown>)[this.#request.itemsKey ?? 'data'];
    return Array.isArray(items) ? (items as Item[]) : [];
  }

  /** Opaque cursor of the next page, or null. */
  get cursor(): string | null {
    return this.body.cursor;
  }

  hasNextPage(): boolean {
    return this.body.has_more && typeof this.body.cursor === 'string' && this.body.cursor !== '';
  }

  /** Fetches the next page; throws when there is none (check `hasNextPage()` first). */
  async nextPage(): Promise<Page<Item, Body>> {
    if (!this.hasNextPage() || this.body.cursor === null) {
      throw new ProxygateError('No next page: check hasNextPage() before calling nextPage()', { code: 'no_next_page' });
    }
    if (this.body.cursor === this.#request.query?.['cursor']) {
      // A gateway handing back the cursor it was given would make `for await` spin forever.
      throw new ProxygateError('The gateway returned the same cursor again; stopping pagination', { code: 'pagination_loop' });
    }
    return fetchPage<Item, Body>(this.#client, {
      ...this.#request,
      query: { ...this.#request.query, cursor: this.body.cursor },
    });
  }

  /** This page, then each following page, fetched lazily. */
  async *iterPages(): AsyncGenerator<Page<Item, Body>, void, undefined> {
    let page: Page<Item, Body> = this;
    // Every cursor already followed: a gateway cycling A -> B -> A would otherwise never end.
    const followed = new Set<unknown>([this.#request.query?.['cursor']]);
    yield page;
    while (page.hasNextPage()) {
      if (followed.has(page.cursor)) {
        throw new ProxygateError('The gateway returned a cursor it had already returned; stopping pagination', { code: 'pagination_loop' });
      }
      followed.add(page.cursor);
      page = await page.nextPage();
      yield page;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Item, void, undefined> {
    for await (const page of this.iterPages()) yield* page.data;
  }
}

export async function fetchPage<Item, Body extends CursorBody>(client: Proxygate, request: PageRequest<Body>): Promise<Page<Item, Body>> {
  if (request.requiredExtension !== undefined) {
    const extensions = await client.extensions({ signal: request.signal });
    if (!extensions.has(request.requiredExtension)) throw new ExtensionNotSupportedError(request.requiredExtension, `GET ${request.path}`);
  }
  const { data, response } = await client.request<Body>({
    method: 'GET',
    path: request.path,
    query: request.query,
    schema: request.schema,
    requiredScope: request.requiredScope,
    signal: request.signal,
    timeout: request.timeout,
    maxRetries: request.maxRetries,
    headers: request.headers,
    extraQuery: request.extraQuery,
    fetchOptions: request.fetchOptions,
  });
  const body = request.transform ? request.transform(data) : data;
  return new Page<Item, Body>(client, request, body, response);
}

/**
 * The result of a list call: `await` it for the first `Page`, or `for await` over it for every
 * item across pages. The first request starts on first use.
 */
export class PagePromise<Item, Body extends CursorBody = ListBody<Item>>
  implements PromiseLike<Page<Item, Body>>, AsyncIterable<Item>
{
  readonly #client: Proxygate;
  readonly #request: PageRequest<Body>;
  #first: Promise<Page<Item, Body>> | undefined;

  constructor(client: Proxygate, request: PageRequest<Body>) {
    this.#client = client;
    this.#request = request;
  }

  #firstPage(): Promise<Page<Item, Body>> {
    this.#first ??= fetchPage<Item, Body>(this.#client, this.#request);
    return this.#first;
  }

  then<R1 = Page<Item, Body>, R2 = never>(
    onfulfilled?: ((value: Page<Item, Body>) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#firstPage().then(onfulfilled, onrejected);
  }

  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<Page<Item, Body> | R> {
    return this.#firstPage().catch(onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<Page<Item, Body>> {
    return this.#firstPage().finally(onfinally);
  }

  // With then/catch/finally, what makes it assignable to `Promise<Page>` (as APIPromise is).
  get [Symbol.toStringTag](): string {
    return 'PagePromise';
  }

  /** The first page's raw `Response` (body readable), as `APIPromise.asResponse()`. */
  async asResponse(): Promise<Response> {
    try {
      return readableResponse((await this.#firstPage()).response);
    } catch (error) {
      const answer = answerOf(error);
      if (answer) return readableResponse(answer);
      throw error;
    }
  }

  /** The first page together with its response, status, headers and request id. */
  async withResponse(): Promise<WithResponse<Page<Item, Body>>> {
    const page = await this.#firstPage();
    const { response } = page;
    return { data: page, response, status: response.status, headers: response.headers, requestId: response.headers.get('x-request-id') ?? undefined };
  }

  /** Every page, starting with the first. */
  async *iterPages(): AsyncGenerator<Page<Item, Body>, void, undefined> {
    yield* (await this.#firstPage()).iterPages();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Item, void, undefined> {
    yield* await this.#firstPage();
  }

  /** Collects items across pages, up to `limit` (required so an unbounded list cannot exhaust memory). */
  async toArray({ limit }: { limit: number }): Promise<Item[]> {
    if (!Number.isInteger(limit) || limit < 0) throw new TypeError('toArray needs a non-negative integer limit');
    const items: Item[] = [];
    if (limit === 0) return items;
    for await (const item of this) {
      items.push(item);
      if (items.length >= limit) break;
    }
    return items;
  }
}
