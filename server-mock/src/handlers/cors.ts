// CORS as the mock models it. The public gateway publishes no CORS policy (its OpenAPI document
// declares no OPTIONS operation and no Access-Control-* header), so the mock answers preflights
// conservatively: the request headers allowed are the ones the public gateway's own client sends
// (Authorization, Content-Type, X-Proxygate-Shield), plus Idempotency-Key where the extended
// profile advertises idempotent calls, plus the MCP transport's headers on /mcp. A browser
// request carrying any other non-safelisted header fails its preflight here, as it could there.
import { http, type HttpHandler } from 'msw';
import { MCP_PATH } from '../mcp/oauth-metadata.js';
import type { Profile } from '../state/profile.js';

export interface CorsPolicy {
  /** Methods a preflight allows (GET, HEAD and POST with safelisted headers need none). */
  methods: readonly string[];
  /** Request headers a preflight allows, lower case. */
  headers: readonly string[];
  /** Response headers a browser script may read, lower case. */
  exposed: readonly string[];
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const PUBLIC_REQUEST_HEADERS = ['authorization', 'content-type', 'x-proxygate-shield'] as const;
const MCP_REQUEST_HEADERS = ['mcp-session-id', 'mcp-protocol-version', 'last-event-id'] as const;
/**
 * What the SDK reads from answers: request ids, retry hints, receipts, shield and spend headers.
 * Both receipt headers the mock can send (`POST /__mock/receipt-header` switches to the plain-JSON
 * `x-receipt`): a receipt a page cannot read is a receipt lost.
 */
const EXPOSED = [
  'x-request-id',
  'retry-after',
  'www-authenticate',
  'x-proxygate-receipt',
  'x-receipt',
  'x-proxygate-shield',
  'x-proxygate-shield-score',
  'x-proxygate-shield-flags',
  'x-proxygate-shield-action',
  'x-spendlimit-limit',
  'x-spendlimit-remaining',
  'idempotent-replayed',
] as const;

/** The policy for `pathname` in `profile`. */
export function corsPolicy(profile: Profile, pathname = '/'): CorsPolicy {
  const mcp = pathname === MCP_PATH || pathname.endsWith(MCP_PATH);
  return {
    methods: METHODS,
    headers: [...PUBLIC_REQUEST_HEADERS, ...(profile === 'extended' ? ['idempotency-key'] : []), ...(mcp ? MCP_REQUEST_HEADERS : [])],
    exposed: [...EXPOSED, ...(mcp ? ['mcp-session-id'] : [])],
  };
}

/**
 * Answers every preflight (OPTIONS with Origin and Access-Control-Request-Method) before any route
 * sees it: 204 with the policy. Tokens are bearer headers, never cookies, so any origin may ask and
 * no credentials are allowed. An OPTIONS that is not a preflight falls through to the routes.
 */
export function corsPreflightHandler(gateway: { readonly profile: Profile }): HttpHandler {
  return http.options('*', ({ request }) => {
    if (!request.headers.has('origin') || !request.headers.has('access-control-request-method')) return undefined;
    const policy = corsPolicy(gateway.profile, new URL(request.url).pathname);
    return new Response(null, {
      status: 204,
      headers: {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': policy.methods.join(', '),
        'access-control-allow-headers': policy.headers.join(', '),
        'access-control-max-age': '600',
        vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
      },
    });
  });
}

/** Adds the headers a browser needs to read `response` (a cross-origin request carries Origin). */
export function withCors(profile: Profile, request: Request, response: Response): Response {
  if (!request.headers.has('origin')) return response;
  const policy = corsPolicy(profile, new URL(request.url).pathname);
  try {
    response.headers.set('access-control-allow-origin', '*');
    response.headers.set('access-control-expose-headers', policy.exposed.join(', '));
  } catch {
    // A network-error response (reset fault) has immutable headers and reaches no script anyway.
  }
  return response;
}
