import { http, type HttpHandler } from 'msw';
import type { CallResult } from '../state/gateway.js';
import { authenticate, withFaults, type HandlerContext } from './common.js';

// Pause between SSE chunks so clients really see a stream, not one buffered body.
const SSE_CHUNK_DELAY_MS = 2;

function sseStream(result: CallResult): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const chunks = [...(result.events ?? [result.body]), ...(result.sseReceiptEvent ? [result.sseReceiptEvent] : [])];
  let index = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (index >= chunks.length) {
        controller.close();
        return;
      }
      if (index > 0) await new Promise((resolve) => setTimeout(resolve, SSE_CHUNK_DELAY_MS));
      controller.enqueue(encoder.encode(chunks[index++] ?? ''));
    },
  });
}

function toResponse(result: CallResult): Response {
  const body = result.events ? sseStream(result) : result.body;
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
      const result = gateway.callListing(auth, {
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
      return toResponse(result);
    });
  return [http.all('*/proxy/:service', handle), http.all('*/proxy/:service/*', handle)];
}
