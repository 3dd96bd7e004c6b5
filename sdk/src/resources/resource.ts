import type { APIResponse, Proxygate, RequestOptions } from '../core/client.js';
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

/** Per-call options every resource method accepts. */
export interface CallOptions {
  signal?: AbortSignal | undefined;
  /** Per-attempt timeout (ms) for this call. */
  timeout?: number | undefined;
  maxRetries?: number | undefined;
}

export function callOptions(options: CallOptions | undefined): CallOptions {
  return { signal: options?.signal, timeout: options?.timeout, maxRetries: options?.maxRetries };
}
