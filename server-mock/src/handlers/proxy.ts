import { http, type HttpHandler } from 'msw';
import type { CallResult } from '../state/gateway.js';
import { authenticate, withFaults, type HandlerContext } from './common.js';

// Pause between SSE chunks so clients really see a stream, not one buffered body.
const SSE_CHUNK_DELAY_MS = 2;

/** A stream's chunks as the Gateway orders them (events, then the extended receipt event), paced. */
function sseStream(chunks: AsyncIterable<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = chunks[Symbol.asyncIterator]();
  let first = true;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) {
        controller.close();
        return;
      }
      if (!first) await new Promise((resolve) => setTimeout(resolve, SSE_CHUNK_DELAY_MS));
      first = false;
      controller.enqueue(encoder.encode(next.value));
    },
  });
}

function toResponse({ result, chunks }: { result: CallResult; chunks: AsyncIterable<string> }): Response {
  const body = result.events ? sseStream(chunks) : result.body;
  return new Response(body, { status: result.status, headers: result.headers });
}

/** `{METHOD} /proxy/{service}{path}?listing=<uuid>`: needs `proxy` (public) / `trade` (extended). */
export function proxyHandlers(ctx: HandlerContext): HttpHandler[] {
  const { gateway } = ctx;
  const handle = ({ request }: { request: Request }): Promise<Response> =>
    withFaults(ctx, request, async () => {
      const auth = authenticate(gateway, request);
      gateway.requirePermission(auth, 'proxy');
      const url = new URL(request.url);
      const match = /^\/proxy\/([^/]+)(\/.*)?$/.exec(url.pathname);
      const service = decodeURIComponent(match?.[1] ?? '');
      const path = match?.[2] ?? '/';
      const body = request.method === 'GET' || request.method === 'HEAD' ? new Uint8Array() : new Uint8Array(await request.arrayBuffer());
      const answer = gateway.callListingStream(auth, {
        listing: url.searchParams.get('listing'),
        service,
        method: request.method,
        path,
        query: url.searchParams,
        body,
        shield: request.headers.get('x-proxygate-shield'),
        idempotencyKey: request.headers.get('idempotency-key'),
        contentType: request.headers.get('content-type'),
      });
      return toResponse(answer);
    });
  return [http.all('*/proxy/:service', handle), http.all('*/proxy/:service/*', handle)];
}
