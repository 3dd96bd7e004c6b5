import { OUR_SCOPES, PUBLIC_SCOPES, type Profile } from '../state/profile.js';
import { toolScope } from './scopes.js';

export const MCP_PATH = '/mcp';

export function scopesSupported(profile: Profile = 'extended'): string[] {
  return [...(profile === 'public' ? PUBLIC_SCOPES : OUR_SCOPES)];
}

/** RFC 9728 path-specific metadata URL of the MCP resource (what the 401 challenge points at). */
export function resourceMetadataUrl(origin: string): string {
  return `${origin}/.well-known/oauth-protected-resource${MCP_PATH}`;
}

/** RFC 9728 protected-resource metadata; `resource` is what clients send as RFC 8707 `resource`. */
export function protectedResourceMetadata(origin: string, resource: string, profile: Profile = 'extended'): Record<string, unknown> {
  return {
    resource,
    authorization_servers: [origin],
    scopes_supported: scopesSupported(profile),
    bearer_methods_supported: ['header'],
    resource_name: 'Proxygate mock gateway',
  };
}

/** RFC 8414 authorization-server metadata of the mock's toy authorization server. */
export function authorizationServerMetadata(origin: string, profile: Profile = 'extended'): Record<string, unknown> {
  return {
    issuer: origin,
    authorization_endpoint: `${origin}/oauth/authorize`,
    token_endpoint: `${origin}/oauth/token`,
    registration_endpoint: `${origin}/oauth/register`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none'],
    scopes_supported: scopesSupported(profile),
  };
}

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '')}"`;
}

/**
 * RFC 6750 §3.1: a request that carried no token gets no `error` attribute (`error` undefined);
 * a rejected token gets `invalid_token`.
 */
export function unauthorizedChallenge(origin: string, error: 'invalid_token' | undefined, scope?: string): string {
  const parts = [`realm=${quote('proxygate')}`];
  if (error) parts.push(`error=${quote(error)}`);
  if (scope) parts.push(`scope=${quote(scope)}`);
  parts.push(`resource_metadata=${quote(resourceMetadataUrl(origin))}`);
  return `Bearer ${parts.join(', ')}`;
}

export function insufficientScopeChallenge(origin: string, scope: string): string {
  return `Bearer error="insufficient_scope", scope=${quote(scope)}, resource_metadata=${quote(resourceMetadataUrl(origin))}`;
}

/** Tool names called by a JSON-RPC message or batch (anything else is not scope-checked). */
export function calledTools(message: unknown): string[] {
  const messages = Array.isArray(message) ? message : [message];
  const names: string[] = [];
  for (const m of messages) {
    if (typeof m !== 'object' || m === null) continue;
    const { method, params } = m as { method?: unknown; params?: { name?: unknown } };
    if (method === 'tools/call' && typeof params?.name === 'string') names.push(params.name);
  }
  return names;
}

export function requiredScopes(tools: readonly string[], profile: Profile = 'extended'): string[] {
  return [...new Set(tools.map((name) => toolScope(name, profile)).filter((s): s is string => typeof s === 'string'))];
}
