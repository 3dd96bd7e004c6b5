import type { APIResponse, FetchOptions, HeadersInit, Proxygate, QueryValue, RequestOptions } from '../core/client.js';
import { ExtensionNotSupportedError } from '../core/extensions.js';

/** Base of the thin resource wrappers: they only describe requests, the client does the rest. */
export abstract class APIResource {
  constructor(protected readonly client: Proxygate) {}

  /** Builds the request inside the promise, so a bad argument (e.g. a `..` id) rejects instead of throwing. */
  protected async send<T>(build: () => RequestOptions<T>): Promise<APIResponse<T>> {
    return this.client.request(build());
  }

  /** Resolves when the gateway advertises `feature`; else rejects with `ExtensionNotSupportedError` (nothing sent). */
  protected async extended(feature: string, operation: string, options?: CallOptions): Promise<void> {
    const extensions = await this.client.extensions({ signal: options?.signal });
    if (!extensions.has(feature)) throw new ExtensionNotSupportedError(feature, operation);
  }
}

/** Per-call options every resource method accepts (as openai-node's request options). */
export interface CallOptions {
  signal?: AbortSignal | undefined;
  /** Per-attempt timeout (ms) for this call. */
  timeout?: number | undefined;
  maxRetries?: number | undefined;
  /** Headers for this call, over the client's `defaultHeaders`; `null` removes one the SDK would send. */
  headers?: HeadersInit | undefined;
  /** Query parameters added to this call, over the method's own. */
  query?: Record<string, QueryValue> | undefined;
  /** `fetch` options for this call, over the client's `fetchOptions`. */
  fetchOptions?: FetchOptions | undefined;
  /** `Idempotency-Key` for this call (1..255 printable ASCII). */
  idempotencyKey?: string | undefined;
}

type PassedOn = Pick<RequestOptions, 'signal' | 'timeout' | 'maxRetries' | 'headers' | 'extraQuery' | 'fetchOptions' | 'idempotencyKey'>;

/** The request options a resource method passes on: only those the caller set (so a method's own stay). */
export function callOptions(options: CallOptions | undefined): PassedOn {
  const out: PassedOn = { signal: options?.signal, timeout: options?.timeout, maxRetries: options?.maxRetries };
  if (options?.headers !== undefined) out.headers = options.headers;
  if (options?.query !== undefined) out.extraQuery = options.query;
  if (options?.fetchOptions !== undefined) out.fetchOptions = options.fetchOptions;
  if (options?.idempotencyKey !== undefined) out.idempotencyKey = options.idempotencyKey;
  return out;
}
