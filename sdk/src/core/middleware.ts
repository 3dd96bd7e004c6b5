/** What a middleware knows about the attempt it wraps. */
export interface MiddlewareContext {
  method: string;
  /** 0 for the first attempt, then 1, 2, ... */
  attempt: number;
  /** Local id of this attempt (as in the debug log). */
  localId: string;
  /** Local id of the first attempt, on retries. */
  retryOf: string | undefined;
  idempotencyKey: string | undefined;
}

/** The next step of the chain: the remaining middleware, then fetch. */
export type Next = (url: string, init: RequestInit) => Promise<Response>;

/**
 * Runs around every attempt (inside the retry loop), e.g. for tracing, metrics or request signing.
 * Call `next` to continue; return its response (or another one). An error thrown by a middleware
 * itself is not retried and reaches the caller unchanged.
 */
export type Middleware = (url: string, init: RequestInit, next: Next, context: MiddlewareContext) => Promise<Response>;

/** Marks errors raised by the network layer (fetch), as opposed to a middleware's own errors. */
const fromFetch = new WeakSet<object>();

export function isFetchError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    if (fromFetch.has(current)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Composes middleware (first = outermost) around `fetch`. */
export function chain(middleware: readonly Middleware[], fetch: Next, context: MiddlewareContext): Next {
  const innermost: Next = async (url, init) => {
    try {
      return await fetch(url, init);
    } catch (error) {
      if (error && typeof error === 'object') fromFetch.add(error);
      throw error;
    }
  };
  return middleware.reduceRight<Next>((next, layer) => (url, init) => layer(url, init, next, context), innermost);
}
