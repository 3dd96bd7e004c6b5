// A toy OAuth 2.1 authorization server, just enough for MCP clients to run the whole flow against
// the mock: dynamic client registration (RFC 7591), authorization code + PKCE (S256), RFC 8707
// `resource`, and refresh tokens that rotate (a reused refresh token revokes its whole family).
// It approves every authorization request at once (no login page) and mints a gateway delegation
// token narrowed to the requested scopes, so the token works on /mcp and REST alike. Only
// registered clients and their registered redirect URIs are served.
import { createHash, randomBytes } from 'node:crypto';
import { http, HttpResponse, type HttpHandler } from 'msw';
import { MCP_PATH } from './oauth-metadata.js';

export interface AccessTokenIssuer {
  /** Mints an access token holding (at most) `scopes`; returns the scopes actually granted. */
  issueAccessToken(scopes: readonly string[]): Promise<{ token: string; scopes: string[]; expiresIn: number }>;
}

interface RegisteredClient {
  redirectUris: string[];
  name: string | undefined;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  scopes: string[];
  resource: string;
  expiresAt: number;
}

interface RefreshGrant {
  clientId: string;
  /** What the grant may ever cover: a refresh may ask for less, never more. */
  scopes: string[];
  resource: string;
  /** Every refresh token descending from one authorization; a reuse revokes them all. */
  family: string;
  used: boolean;
  expiresAt: number;
}

const CODE_TTL_MS = 60_000;
const REFRESH_TTL_MS = 24 * 3600_000;
const MAX_CLIENTS = 1_000;
const MAX_REDIRECT_URIS = 10;

function oauthError(error: string, description: string, status = 400): Response {
  return HttpResponse.json({ error, error_description: description }, { status, headers: { 'cache-control': 'no-store' } });
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function secret(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/** A redirect URI a client may register: absolute, no fragment, and not a script scheme. */
function validRedirectUri(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 2_000) return false;
  try {
    const url = new URL(value);
    return url.hash === '' && !['javascript:', 'data:', 'file:', 'vbscript:'].includes(url.protocol);
  } catch {
    return false;
  }
}

/** `resource` must name this gateway's MCP endpoint (or its origin), RFC 8707. */
function validResource(resource: string | null, origin: string): resource is string {
  return resource === `${origin}${MCP_PATH}` || resource === origin;
}

function splitScopes(value: string | null): string[] {
  return (value ?? '').split(' ').filter(Boolean);
}

/** Client id of a token request: `client_id` in the form, or the user part of HTTP Basic. */
function requestClientId(request: Request, form: URLSearchParams): string | null {
  const basic = /^Basic\s+(.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
  if (basic) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const user = decoded.split(':')[0];
    if (user) return decodeURIComponent(user);
  }
  return form.get('client_id');
}

type Resolver = (args: { request: Request }) => Response | Promise<Response>;
/** Wraps every route's resolver (the MCP handlers pass their Host/Origin check). */
export type RouteGuard = (resolver: Resolver) => Resolver;

export function createOAuthHandlers(issuer: AccessTokenIssuer, guard: RouteGuard = (resolver) => resolver): HttpHandler[] {
  const clients = new Map<string, RegisteredClient>();
  const codes = new Map<string, PendingCode>();
  const refreshTokens = new Map<string, RefreshGrant>();

  /** `grantScopes`: what the new refresh token may cover (RFC 6749 §6: the same as the one it replaces). */
  const tokenResponse = async (clientId: string, scopes: string[], resource: string, family: string, grantScopes?: string[]): Promise<Response> => {
    const issued = await issuer.issueAccessToken(scopes);
    const refreshToken = secret(32);
    refreshTokens.set(refreshToken, { clientId, scopes: grantScopes ?? issued.scopes, resource, family, used: false, expiresAt: Date.now() + REFRESH_TTL_MS });
    return HttpResponse.json(
      { access_token: issued.token, token_type: 'Bearer', expires_in: issued.expiresIn, scope: issued.scopes.join(' '), refresh_token: refreshToken },
      { headers: { 'cache-control': 'no-store' } },
    );
  };

  const revokeFamily = (family: string): void => {
    for (const [token, grant] of refreshTokens) if (grant.family === family) refreshTokens.delete(token);
  };

  return [
    http.post('*/oauth/register', guard(async ({ request }) => {
      let metadata: unknown;
      try {
        metadata = await request.json();
      } catch {
        return oauthError('invalid_client_metadata', 'the body must be a JSON object');
      }
      if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
        return oauthError('invalid_client_metadata', 'the body must be a JSON object');
      }
      const { redirect_uris: redirectUris, client_name: name } = metadata as { redirect_uris?: unknown; client_name?: unknown };
      if (!Array.isArray(redirectUris) || redirectUris.length === 0 || redirectUris.length > MAX_REDIRECT_URIS || !redirectUris.every(validRedirectUri)) {
        return oauthError('invalid_redirect_uri', `redirect_uris must list 1 to ${MAX_REDIRECT_URIS} absolute URIs without a fragment`);
      }
      if (clients.size >= MAX_CLIENTS) return oauthError('invalid_client_metadata', 'too many registered clients', 503);
      const clientId = `mcp-client-${secret(12)}`;
      const clientName = typeof name === 'string' ? name.slice(0, 200) : undefined;
      clients.set(clientId, { redirectUris: [...redirectUris], name: clientName });
      // Every client is public (PKCE, no secret) whatever it asked for: RFC 7591 lets the server decide.
      return HttpResponse.json({
        client_id: clientId,
        client_id_issued_at: Math.floor(Date.now() / 1000),
        redirect_uris: redirectUris,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        ...(clientName === undefined ? {} : { client_name: clientName }),
      }, { status: 201, headers: { 'cache-control': 'no-store' } });
    })),

    http.get('*/oauth/authorize', guard(({ request }) => {
      const url = new URL(request.url);
      const q = url.searchParams;
      const redirectUri = q.get('redirect_uri');
      const clientId = q.get('client_id');
      if (!redirectUri || !clientId) return oauthError('invalid_request', 'client_id and redirect_uri are required');
      const client = clients.get(clientId);
      // Errors before the redirect URI is known to be the client's are never redirected (RFC 6749 §4.1.2.1).
      if (!client) return oauthError('invalid_client', 'unknown client_id: register first (POST /oauth/register)', 401);
      if (!client.redirectUris.includes(redirectUri)) return oauthError('invalid_request', 'redirect_uri is not one the client registered');
      if (q.get('response_type') !== 'code') return oauthError('unsupported_response_type', 'only response_type=code');
      const challenge = q.get('code_challenge');
      if (!challenge || q.get('code_challenge_method') !== 'S256') return oauthError('invalid_request', 'PKCE with S256 is required');
      const resource = q.get('resource');
      if (!validResource(resource, url.origin)) return oauthError('invalid_target', 'resource must name this gateway (RFC 8707)');
      const code = secret();
      codes.set(code, { clientId, redirectUri, challenge, resource, scopes: splitScopes(q.get('scope')), expiresAt: Date.now() + CODE_TTL_MS });
      const target = new URL(redirectUri);
      target.searchParams.set('code', code);
      const state = q.get('state');
      if (state !== null) target.searchParams.set('state', state);
      return new Response(null, { status: 302, headers: { location: target.toString() } });
    })),

    http.post('*/oauth/token', guard(async ({ request }) => {
      const origin = new URL(request.url).origin;
      const form = new URLSearchParams(await request.text());
      const clientId = requestClientId(request, form);
      if (!clientId || !clients.has(clientId)) return oauthError('invalid_client', 'unknown client_id', 401);
      const grantType = form.get('grant_type');

      if (grantType === 'authorization_code') {
        const code = form.get('code') ?? '';
        const pending = codes.get(code);
        codes.delete(code); // single use, even when the exchange fails
        if (!pending || pending.expiresAt < Date.now()) return oauthError('invalid_grant', 'unknown or expired code');
        if (clientId !== pending.clientId || form.get('redirect_uri') !== pending.redirectUri) {
          return oauthError('invalid_grant', 'client_id or redirect_uri differs from the authorization request');
        }
        if (s256(form.get('code_verifier') ?? '') !== pending.challenge) return oauthError('invalid_grant', 'PKCE verification failed');
        if (form.get('resource') !== pending.resource) return oauthError('invalid_target', 'resource differs from the authorization request');
        return tokenResponse(clientId, pending.scopes, pending.resource, secret(12));
      }

      if (grantType === 'refresh_token') {
        const presented = form.get('refresh_token') ?? '';
        const grant = refreshTokens.get(presented);
        if (!grant || grant.expiresAt < Date.now()) return oauthError('invalid_grant', 'unknown or expired refresh token');
        if (grant.used) {
          // A rotated-out token came back: someone holds a copy. Nothing of this family stays valid.
          revokeFamily(grant.family);
          return oauthError('invalid_grant', 'refresh token already used; every token of this grant is revoked');
        }
        if (grant.clientId !== clientId) return oauthError('invalid_grant', 'refresh token was issued to another client');
        const resource = form.get('resource');
        if (resource !== null && (resource !== grant.resource || !validResource(resource, origin))) {
          return oauthError('invalid_target', 'resource differs from the original grant');
        }
        const asked = splitScopes(form.get('scope'));
        if (asked.some((scope) => !grant.scopes.includes(scope))) return oauthError('invalid_scope', 'a refresh cannot widen the grant');
        grant.used = true;
        return tokenResponse(clientId, asked.length > 0 ? asked : grant.scopes, grant.resource, grant.family, grant.scopes);
      }

      return oauthError('unsupported_grant_type', 'authorization_code or refresh_token');
    })),
  ];
}
