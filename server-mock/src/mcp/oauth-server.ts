// A toy OAuth 2.1 authorization server, just enough for MCP clients to run the discovery,
// authorization-code + PKCE (S256) and RFC 8707 `resource` flow against the mock. It approves
// every request at once (no login page) and mints a gateway delegation token narrowed to the
// requested scopes, so the token works on /mcp and REST alike.
import { createHash, randomBytes } from 'node:crypto';
import { http, HttpResponse, type HttpHandler } from 'msw';
import { MCP_PATH } from './oauth-metadata.js';

export interface AccessTokenIssuer {
  /** Mints an access token holding (at most) `scopes`; returns the scopes actually granted. */
  issueAccessToken(scopes: readonly string[]): Promise<{ token: string; scopes: string[]; expiresIn: number }>;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  scopes: string[];
  resource: string;
  expiresAt: number;
}

const CODE_TTL_MS = 60_000;

function oauthError(error: string, description: string, status = 400): Response {
  return HttpResponse.json({ error, error_description: description }, { status, headers: { 'cache-control': 'no-store' } });
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

export function createOAuthHandlers(issuer: AccessTokenIssuer): HttpHandler[] {
  const codes = new Map<string, PendingCode>();

  return [
    http.get('*/oauth/authorize', ({ request }) => {
      const url = new URL(request.url);
      const q = url.searchParams;
      const redirectUri = q.get('redirect_uri');
      const clientId = q.get('client_id');
      if (!redirectUri || !clientId) return oauthError('invalid_request', 'client_id and redirect_uri are required');
      if (q.get('response_type') !== 'code') return oauthError('unsupported_response_type', 'only response_type=code');
      const challenge = q.get('code_challenge');
      if (!challenge || q.get('code_challenge_method') !== 'S256') return oauthError('invalid_request', 'PKCE with S256 is required');
      const resource = q.get('resource');
      if (resource !== `${url.origin}${MCP_PATH}` && resource !== url.origin) {
        return oauthError('invalid_target', 'resource must name this gateway (RFC 8707)');
      }
      const code = randomBytes(24).toString('base64url');
      codes.set(code, {
        clientId, redirectUri, challenge, resource,
        scopes: (q.get('scope') ?? '').split(' ').filter(Boolean),
        expiresAt: Date.now() + CODE_TTL_MS,
      });
      const target = new URL(redirectUri);
      target.searchParams.set('code', code);
      const state = q.get('state');
      if (state !== null) target.searchParams.set('state', state);
      return new Response(null, { status: 302, headers: { location: target.toString() } });
    }),

    http.post('*/oauth/token', async ({ request }) => {
      const form = new URLSearchParams(await request.text());
      if (form.get('grant_type') !== 'authorization_code') return oauthError('unsupported_grant_type', 'only authorization_code');
      const code = form.get('code') ?? '';
      const pending = codes.get(code);
      codes.delete(code); // single use, even when the exchange fails
      if (!pending || pending.expiresAt < Date.now()) return oauthError('invalid_grant', 'unknown or expired code');
      if (form.get('client_id') !== pending.clientId || form.get('redirect_uri') !== pending.redirectUri) {
        return oauthError('invalid_grant', 'client_id or redirect_uri differs from the authorization request');
      }
      if (s256(form.get('code_verifier') ?? '') !== pending.challenge) return oauthError('invalid_grant', 'PKCE verification failed');
      if (form.get('resource') !== pending.resource) return oauthError('invalid_target', 'resource differs from the authorization request');
      const issued = await issuer.issueAccessToken(pending.scopes);
      return HttpResponse.json(
        { access_token: issued.token, token_type: 'Bearer', expires_in: issued.expiresIn, scope: issued.scopes.join(' ') },
        { headers: { 'cache-control': 'no-store' } },
      );
    }),
  ];
}
