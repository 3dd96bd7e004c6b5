// The mock's MCP endpoint: streamable HTTP at /mcp, stateless (a fresh McpServer and transport
// per POST, JSON responses), over the same backend as REST. Auth happens here, before MCP: a bad
// token or a missing one for an account tool is a 401 with an OAuth discovery challenge; a
// missing scope is a 403 like REST in the same profile (extended: `insufficient_scope` naming
// the scope with a challenge; public: `forbidden`, no scope named). Every route here (the MCP
// endpoint, its metadata and the toy authorization server) first checks Host and Origin.
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { http, HttpResponse, type HttpHandler } from 'msw';
import { isBackendError, type McpBackend, type McpCaller } from '../mcp/backend.js';
import { gatewayMcpBackend } from '../mcp/gateway-backend.js';
import {
  authorizationServerMetadata,
  calledTools,
  insufficientScopeChallenge,
  MCP_PATH,
  protectedResourceMetadata,
  requiredScopes,
  unauthorizedChallenge,
} from '../mcp/oauth-metadata.js';
import { createOAuthHandlers, type RouteGuard } from '../mcp/oauth-server.js';
import { checkHostAndOrigin, envAllowedHosts, LOOPBACK_ANY_PORT, ownHosts } from '../mcp/host-guard.js';
import { grants } from '../mcp/scopes.js';
import { createGatewayMcpServer, type McpToolOptions } from '../mcp/tools.js';
import type { HandlerContext } from './common.js';

export interface McpHandlerOptions extends McpToolOptions {
  /** Also serve the root `/.well-known/oauth-protected-resource` (default true; off when meta handlers do). */
  rootMetadata?: boolean;
  /**
   * `host[:port]` values accepted in `Host` and `Origin` (`name:*`: any port). Default: the
   * backend's own origin (with `localhost`, `127.0.0.1` and `[::1]` when it is loopback), else
   * loopback names on any port; plus `PROXYGATE_MOCK_ALLOWED_HOSTS` (comma separated).
   */
  allowedHosts?: readonly string[] | (() => readonly string[]);
  /** Extra origins accepted in `Origin` (e.g. a local inspector UI). */
  allowedOrigins?: readonly string[];
}

function errorResponse(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): Response {
  return HttpResponse.json(body, { status, headers });
}

async function readJson(request: Request): Promise<unknown> {
  try {
    return await request.clone().json();
  } catch {
    return undefined; // the MCP transport answers malformed JSON with a JSON-RPC parse error
  }
}

export function createMcpHandlers<P>(backend: McpBackend<P>, options: McpHandlerOptions = {}): HttpHandler[] {
  const profile = options.profile ?? 'extended';
  const extraHosts = envAllowedHosts();
  // Read per request: the real server learns its port (its origin) only after listening.
  const allowedHosts = (): readonly string[] => {
    const configured = typeof options.allowedHosts === 'function' ? options.allowedHosts() : options.allowedHosts;
    const own = configured ?? (backend.origin ? ownHosts(backend.origin()) : LOOPBACK_ANY_PORT);
    return [...own, ...extraHosts];
  };
  // Runs before anything else: a refused request learns nothing and changes nothing.
  const guarded: RouteGuard = (resolver) => (args) => {
    const refusal = checkHostAndOrigin(args.request, { hosts: allowedHosts(), origins: options.allowedOrigins ?? [] });
    return refusal ? errorResponse(403, { ...refusal }) : resolver(args);
  };
  const handlePost = async (request: Request): Promise<Response> => {
    const origin = new URL(request.url).origin;
    let caller: McpCaller<P> | null;
    try {
      caller = await backend.authenticate(request.headers.get('authorization'));
    } catch (error) {
      if (!isBackendError(error)) throw error;
      // Our challenge replaces the domain layer's: it points at the metadata of the /mcp resource.
      const headers = Object.fromEntries(Object.entries(error.headers ?? {}).filter(([name]) => name.toLowerCase() !== 'www-authenticate'));
      headers['www-authenticate'] = unauthorizedChallenge(origin, 'invalid_token');
      // (only reached with a token: no Authorization header authenticates as anonymous)
      return errorResponse(error.status, error.body, headers);
    }

    const parsedBody = await readJson(request);
    for (const scope of requiredScopes(calledTools(parsedBody), profile)) {
      if (!caller) {
        return errorResponse(401, {
          error: 'unauthorized', message: 'This tool needs a token.', action: 'Authorize, then retry.',
        }, { 'www-authenticate': unauthorizedChallenge(origin, undefined, scope) }); // no token sent: no error code (RFC 6750 §3.1)
      }
      if (!grants(caller.scopes, scope)) {
        if (profile === 'public') {
          return errorResponse(403, {
            error: 'forbidden', message: 'The authenticated caller is not permitted to perform this action.',
            action: 'Use a credential with the required scope.',
          });
        }
        return errorResponse(403, {
          error: 'insufficient_scope', required_scope: scope,
          message: `This tool needs the "${scope}" scope.`, action: `Use a token with the "${scope}" scope.`,
        }, { 'www-authenticate': insufficientScopeChallenge(origin, scope) });
      }
    }

    const server = createGatewayMcpServer(backend, caller, options);
    // No sessionIdGenerator: stateless, one transport per request.
    const transport = new WebStandardStreamableHTTPServerTransport({ enableJsonResponse: true });
    await server.connect(transport);
    try {
      return await transport.handleRequest(request, parsedBody === undefined ? {} : { parsedBody });
    } finally {
      // JSON mode has the whole answer once handleRequest resolves; nothing stays open per request.
      void server.close();
    }
  };

  const notAllowed = (): Response =>
    new Response(null, { status: 405, headers: { allow: 'POST' } }); // stateless: no GET stream, no session to delete

  // The well-known routes come first: `*/mcp` would also match `.../oauth-protected-resource/mcp`.
  const oauth = backend.issueAccessToken ? createOAuthHandlers({ issueAccessToken: backend.issueAccessToken.bind(backend) }, guarded) : [];
  return [
    http.get(`*/.well-known/oauth-protected-resource${MCP_PATH}`, guarded(({ request }) => {
      const origin = new URL(request.url).origin;
      return HttpResponse.json(protectedResourceMetadata(origin, `${origin}${MCP_PATH}`, profile));
    })),
    ...(options.rootMetadata === false ? [] : [
      http.get('*/.well-known/oauth-protected-resource', guarded(({ request }) => {
        const origin = new URL(request.url).origin;
        return HttpResponse.json(protectedResourceMetadata(origin, origin, profile));
      })),
    ]),
    http.get('*/.well-known/oauth-authorization-server', guarded(({ request }) =>
      HttpResponse.json(authorizationServerMetadata(new URL(request.url).origin, profile)))),
    ...oauth,
    http.post(`*${MCP_PATH}`, guarded(({ request }) => handlePost(request))),
    http.get(`*${MCP_PATH}`, guarded(notAllowed)),
    http.delete(`*${MCP_PATH}`, guarded(notAllowed)),
  ];
}

/**
 * The /mcp handlers over the shared in-memory Gateway. List them before the meta handlers: their
 * `/.well-known/oauth-protected-resource/*` route would otherwise answer for `/mcp` too.
 */
export function mcpHandlers(ctx: HandlerContext, options: McpHandlerOptions = {}): HttpHandler[] {
  return createMcpHandlers(gatewayMcpBackend(ctx.gateway), { rootMetadata: false, profile: ctx.gateway.profile, ...options });
}
