import { HttpResponse } from 'msw';
import type { Fault } from '../faults.js';
import { GatewayError } from '../state/errors.js';
import type { AuthContext, Gateway } from '../state/gateway.js';
import { withCors } from './cors.js';

export interface HandlerOptions {
  /**
   * True when the handlers serve real HTTP (serve.ts): a connection reset is then signalled to
   * the socket layer with `FAULT_HEADER` (`reset`: no answer; `truncate`: cut after the body sent)
   * instead of `HttpResponse.error()` and a failing body stream, which only work in-process.
   */
  realSockets?: boolean;
}

/** Internal marker read (and stripped) by the real HTTP server to destroy the socket. */
export const FAULT_HEADER = 'x-proxygate-mock-fault';

export interface HandlerContext {
  gateway: Gateway;
  options: HandlerOptions;
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return HttpResponse.json(body as Record<string, unknown>, { status, headers });
}

export function errorResponse(gateway: Gateway, error: unknown): Response {
  if (error instanceof GatewayError) {
    const body = { ...error.body, trace_id: error.body.trace_id ?? gateway.nextTraceId() };
    return json(body, error.status, error.headers);
  }
  // Never echo internals (they could hold request data); the trace id is enough to debug.
  return json({ error: 'internal_error', message: 'The mock gateway failed.', trace_id: gateway.nextTraceId() }, 500);
}

export async function readJsonBody(gateway: Gateway, request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new GatewayError(400, { error: 'validation_error', message: 'The body is not valid JSON.', trace_id: gateway.nextTraceId() });
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const firstHalf = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => bytes.slice(0, Math.max(1, Math.floor(bytes.length / 2)));

/**
 * In-process, a body that delivers the first half of `bytes` and then fails, like a connection
 * cut mid-body.
 */
function truncatedStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  const half = firstHalf(bytes);
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(half);
    },
    async pull(controller) {
      // One macrotask first: a consumer that pipes the body (msw, undici) forwards the half it
      // read before the error discards what its pipe still holds. A turn, not a timed wait.
      await new Promise((resolve) => setTimeout(resolve, 0));
      controller.error(new Error('proxygate-mock: body truncated by fault injection'));
    },
  });
}

/**
 * The body of an injected 500 on routes whose published failure keeps the success shape (empty
 * page plus `error`); null elsewhere (the error envelope).
 */
function pageShaped500(pathname: string, error: string): Record<string, unknown> | null {
  if (/\/v1\/apis\/?$/.test(pathname)) return { data: [], cursor: null, has_more: false, error };
  if (/\/v1\/services\/?$/.test(pathname)) return { services: [], has_more: false, cursor: null, count: 0, error };
  if (/\/v1\/categories\/?$/.test(pathname)) return { categories: [], has_more: false, cursor: null };
  if (/\/v1\/usage\/?$/.test(pathname)) return { usage: [], summary: [], has_more: false, cursor: null, error };
  return null;
}

async function faultResponse(ctx: HandlerContext, fault: Fault, original: Response | null, pathname: string): Promise<Response> {
  const { gateway } = ctx;
  switch (fault.kind) {
    case 'server_error': {
      const error = fault.status === 503 ? 'service_unavailable' : fault.status === 502 ? 'upstream_error' : 'internal_error';
      const shaped = fault.status === 500 ? pageShaped500(pathname, error) : null;
      return json(shaped ?? { error, message: `Injected ${fault.status}.`, trace_id: gateway.nextTraceId() }, fault.status);
    }
    case 'rate_limit':
      return json(
        { error: 'rate_limit_exceeded', message: 'Too many requests. Slow down and retry after the indicated window.', action: 'Back off and retry after the Retry-After interval.', trace_id: gateway.nextTraceId() },
        429,
        { 'Retry-After': String(fault.retryAfter) },
      );
    case 'reset':
      return ctx.options.realSockets ? new Response(null, { status: 500, headers: { [FAULT_HEADER]: 'reset' } }) : HttpResponse.error();
    case 'truncate': {
      const source = original ?? json({ data: [], cursor: null, has_more: false, note: 'truncated by fault injection' });
      const bytes = new Uint8Array(await source.arrayBuffer());
      const headers = new Headers(source.headers);
      headers.delete('content-length');
      if (!ctx.options.realSockets) return new Response(truncatedStream(bytes), { status: source.status, headers });
      // Over HTTP the server cuts the connection after sending this half (serve.ts).
      headers.set(FAULT_HEADER, 'truncate');
      return new Response(firstHalf(bytes), { status: source.status, headers });
    }
    case 'malformed_json': {
      const text = original ? await original.text() : '{"data": [';
      const headers = new Headers(original?.headers);
      headers.set('content-type', 'application/json');
      headers.delete('content-length');
      return new Response(`${text.slice(0, Math.max(1, Math.floor(text.length / 2)))}{,`, { status: original?.status ?? 200, headers });
    }
    case 'latency':
      return original ?? json({ error: 'internal_error', message: 'latency fault without a response' }, 500);
  }
}

/**
 * Runs a handler body with fault injection around it and turns `GatewayError`s into their HTTP
 * answer. A BEFORE fault answers without running the handler (nothing is charged); an AFTER fault
 * runs it (charge, idempotency store) and then replaces or damages its answer.
 */
export async function withFaults(ctx: HandlerContext, request: Request, run: () => Promise<Response> | Response): Promise<Response> {
  return withCors(ctx.gateway.profile, request, await answerWithFaults(ctx, request, run));
}

async function answerWithFaults(ctx: HandlerContext, request: Request, run: () => Promise<Response> | Response): Promise<Response> {
  const { gateway } = ctx;
  const { pathname } = new URL(request.url);
  const before = gateway.faults.take(request.method, pathname, 'before');
  if (before.latencyMs > 0) await delay(before.latencyMs);
  if (before.fault) return faultResponse(ctx, before.fault, null, pathname);
  let response: Response;
  try {
    response = await run();
  } catch (error) {
    response = errorResponse(gateway, error);
  }
  const after = gateway.faults.take(request.method, pathname, 'after');
  if (after.latencyMs > 0) await delay(after.latencyMs);
  if (after.fault) return faultResponse(ctx, after.fault, response, pathname);
  return response;
}

/** Authenticates a request; the 401 challenge points at the origin the request was sent to. */
export function authenticate(gateway: Gateway, request: Request): AuthContext {
  return gateway.authenticate(request.headers.get('authorization'), new URL(request.url).origin);
}

export function query(request: Request): URLSearchParams {
  return new URL(request.url).searchParams;
}

export function pageParams(params: URLSearchParams): { limit: string | null; cursor: string | null } {
  return { limit: params.get('limit'), cursor: params.get('cursor') };
}

/** The named query parameters as an object (absent ones left out). */
export function pick<K extends string>(params: URLSearchParams, names: readonly K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const name of names) {
    const value = params.get(name);
    if (value !== null) out[name] = value;
  }
  return out;
}
