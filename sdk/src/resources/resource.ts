import type { Proxygate } from '../core/client.js';

/** Base of the thin resource wrappers: they only describe requests, the client does the rest. */
export abstract class APIResource {
  constructor(protected readonly client: Proxygate) {}
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
